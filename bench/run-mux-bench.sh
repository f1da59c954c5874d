#!/usr/bin/env bash
# Benchmarks the session library (jsonrpc-mux): builds it and the bench module from this work tree,
# then runs dev.tether.bench.MuxBench, which prints a Markdown table on stdout and progress on stderr.
#
#   bench/run-mux-bench.sh            full run (about a minute on 2 cores)
#   bench/run-mux-bench.sh --quick    about 25 s
#   bench/run-mux-bench.sh --help     every flag (sizes, sample counts, --transports, --runs, ...)
#
# MUX_BENCH_SKIP_BUILD=1 reuses the last build; MUX_BENCH_JAVA_OPTS replaces the JVM flags below.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

classpath_file=bench/target/mux-bench-classpath.txt
if [[ "${MUX_BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  # -am builds jsonrpc-mux from this tree too, and the classpath file then names its fresh jar.
  # Maven's quiet mode still prints colour resets; strip them so stderr stays readable.
  mvn -B -o -q -pl bench -am package dependency:build-classpath -DskipTests -DincludeScope=runtime \
    -Dmdep.outputFile=target/mux-bench-classpath.txt 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2
fi
if [[ ! -s "$classpath_file" ]]; then
  echo "run-mux-bench: $classpath_file is missing; run without MUX_BENCH_SKIP_BUILD=1" >&2
  exit 1
fi
classpath="bench/target/classes:$(cat "$classpath_file")"

# A fixed 1 GiB heap (pre-touched, so page faults are not charged to the first run) and the default
# collector (G1), as the bridges run.
java_opts=(${MUX_BENCH_JAVA_OPTS:--Xms1g -Xmx1g -XX:+AlwaysPreTouch -XX:+UseG1GC})
exec java "${java_opts[@]}" -cp "$classpath" dev.tether.bench.MuxBench "$@"
