#!/usr/bin/env bash
# Benchmarks `tether lsp` side by side with `ssh host server` (OpenSSH) and a directly spawned server:
# builds the CLI, the agent and the bench module from this work tree, then runs
# dev.tether.bench.lsp.LspBench against a real sshd on 127.0.0.1 (needs openssh-server and
# openssh-client). Markdown on stdout, progress on stderr.
#
#   bench/run-lsp-bench.sh            full run (a few minutes on 2 cores)
#   bench/run-lsp-bench.sh --quick    about a minute
#   bench/run-lsp-bench.sh --help     every flag
#
# LSP_BENCH_SKIP_BUILD=1 reuses the last build.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

classpath_file=bench/target/lsp-bench-classpath.txt
if [[ "${LSP_BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  # -am builds the CLI (tether.jar), the agent (tether-remote.jar) and their libraries from this tree.
  # Maven's quiet mode still prints colour resets; strip them so stderr stays readable.
  mvn -B -o -q -pl bridge-remote,bridge-local,bench -am package dependency:build-classpath -DskipTests \
    -DincludeScope=runtime -Dmdep.outputFile=target/lsp-bench-classpath.txt 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2
fi
if [[ ! -s "$classpath_file" ]]; then
  echo "run-lsp-bench: $classpath_file is missing; run without LSP_BENCH_SKIP_BUILD=1" >&2
  exit 1
fi
for tool in /usr/sbin/sshd /usr/bin/ssh /usr/bin/ssh-keygen; do
  if [[ ! -x "$tool" ]]; then
    echo "run-lsp-bench: $tool is missing: apt-get install openssh-server openssh-client" >&2
    exit 1
  fi
done
classpath="bench/target/classes:$(cat "$classpath_file")"
# BENCH_MAIN: another harness on the same loopback host (run-transfer-bench.sh sets it).
exec java -XX:+UseSerialGC -Dtether.root="$root" -cp "$classpath" "${BENCH_MAIN:-dev.tether.bench.lsp.LspBench}" "$@"
