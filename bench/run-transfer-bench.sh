#!/usr/bin/env bash
# Benchmarks `tether fs` transfers side by side with `ssh host cat` and `sftp` (OpenSSH), and an LSP round
# trip's p99 while such a transfer shares the tunnel against idle: dev.tether.bench.lsp.TransferBench on the
# LSP benchmark's loopback host (a real sshd on 127.0.0.1; needs openssh-server and openssh-client), built
# and run by run-lsp-bench.sh. Markdown on stdout, progress on stderr.
#
#   bench/run-transfer-bench.sh                          1 GiB, 3 runs (about 4 min on 2 cores)
#   bench/run-transfer-bench.sh --quick                  256 MiB, one run
#   bench/run-transfer-bench.sh --mib N --runs N --pings N
#
# LSP_BENCH_SKIP_BUILD=1 reuses the last build.
BENCH_MAIN=dev.tether.bench.lsp.TransferBench exec "$(dirname "$0")/run-lsp-bench.sh" "$@"
