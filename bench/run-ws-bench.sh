#!/usr/bin/env bash
# Round trip p50/p99 and read throughput of every route to a host on loopback, in one run: a direct TCP
# socket, OpenSSH (`ssh host cat`, `ssh host head -c`), and a Tether session over TCP, over SSH (the
# daemon's SSH client to Debian's sshd) and over a WebSocket, ws and wss (the agent's Jetty endpoint):
# dev.tether.bench.WsBench, built and run by run-lsp-bench.sh (needs openssh-server and openssh-client).
# Markdown on stdout, progress on stderr.
#
#   bench/run-ws-bench.sh                          3000 round trips, 1 GiB, 3 runs (about 3 min on 2 cores)
#   bench/run-ws-bench.sh --samples N --mib N --runs N --only tcp,openssh,session-tcp,session-ssh,ws,wss
#
# LSP_BENCH_SKIP_BUILD=1 reuses the last build.
BENCH_MAIN=dev.tether.bench.WsBench exec "$(dirname "$0")/run-lsp-bench.sh" "$@"
