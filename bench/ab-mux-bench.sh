#!/usr/bin/env bash
# A/B comparison of two builds of jsonrpc-mux on the mux benchmark, in one run: alternates the two jars
# PAIRS times (A, B, A, B, ...), so both see the same background load, then prints the median and the
# range of every figure per build.
#
#   bench/ab-mux-bench.sh OLD.jar NEW.jar PAIRS [MuxBench flags...]
#   e.g. bench/ab-mux-bench.sh /tmp/mux-old.jar jsonrpc-mux/target/jsonrpc-mux-0.1.0-SNAPSHOT.jar 4 --skip-direct
#
# Build the bench module first (bench/run-mux-bench.sh does, or MUX_BENCH_SKIP_BUILD=1 to reuse it).
# To get the jar of an older commit: check it out in a scratch clone, `mvn -o -q -pl jsonrpc-mux package
# -DskipTests`, and copy jsonrpc-mux/target/jsonrpc-mux-*.jar somewhere. Each run's Markdown goes to
# $MUX_AB_OUT (default bench/target/ab) as A.N.md / B.N.md, progress lines to progress.log.
set -euo pipefail
if [[ $# -lt 3 ]]; then
  sed -n '2,12p' "$0" >&2
  exit 2
fi
jar_a=$(realpath "$1"); jar_b=$(realpath "$2"); pairs=$3; shift 3
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
classpath_file=bench/target/mux-bench-classpath.txt
if [[ ! -s "$classpath_file" ]]; then
  echo "ab-mux-bench: $classpath_file is missing; run bench/run-mux-bench.sh --help once to build" >&2
  exit 1
fi
# The bench classpath without the work tree's own jsonrpc-mux jar: each run puts its jar first.
others=$(tr ':' '\n' < "$classpath_file" | grep -v '/jsonrpc-mux' | paste -sd: -)
out=${MUX_AB_OUT:-bench/target/ab}
mkdir -p "$out"
: > "$out/progress.log"
java_opts=(${MUX_BENCH_JAVA_OPTS:--Xms1g -Xmx1g -XX:+AlwaysPreTouch -XX:+UseG1GC})
for i in $(seq 1 "$pairs"); do
  for v in A B; do
    jar=$jar_a; [[ $v == B ]] && jar=$jar_b
    echo "run $i $v load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/progress.log" >&2
    java "${java_opts[@]}" -cp "bench/target/classes:$jar:$others" dev.tether.bench.MuxBench "$@" \
      > "$out/$v.$i.md" 2> >(tee -a "$out/progress.log" >&2)
  done
done
python3 "$root/bench/ab-summary.py" "$out/progress.log"
