#!/usr/bin/env bash
# The partitioned job beside the whole-dataset job on the same data (#22, "past one machine"): `workbench partition` into
# P partitions of accounts, `workbench run` (the scale spec's options) on partition 0 alone (a hash sample of 1/P of the
# accounts) promoting the run, then `workbench score` of the partitioned folder and of the original folder with that model,
# each under /usr/bin/time -v, and whether their outputs are identical. With HEAP_LIMIT_MB set, both scorings run again
# with the .NET heap capped there (DOTNET_GCHeapHardLimit): memory smaller than the whole job needs.
# Usage: bench/partitioned.sh DATA_DIR P   (DATA_DIR: a Parquet dataset, e.g. one from bench/scale_growth.sh)
# Needs a Release build: dotnet build -c Release src/Workbench.Cli (or WORKBENCH_DLL=path/workbench.dll). Work folder: $BENCH_DIR
# (default /tmp/workbench-partitioned).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
W="dotnet ${WORKBENCH_DLL:-$ROOT/src/Workbench.Cli/bin/Release/net10.0/workbench.dll}"
DATA=$1; P=$2
DIR=${BENCH_DIR:-/tmp/workbench-partitioned}; rm -rf "$DIR"; mkdir -p "$DIR"
field() { grep "$2" "$1" | awk '{print $NF}'; }
cpu() { echo "$(field "$1" 'User time') $(field "$1" 'System time')" | awk '{printf "%.1f", $1 + $2}'; }
exitof() { if grep -q 'terminated by signal' "$1"; then grep -o 'signal [0-9]*' "$1"; else field "$1" 'Exit status'; fi; }
row() { printf '| %s | %s | %s | %s | %s |\n' "$1" "$(field "$2" 'Elapsed (wall')" "$(cpu "$2")" "$(field "$2" 'Maximum resident')" "$(exitof "$2")"; }
/usr/bin/time -v $W partition --data "$DATA" --out "$DIR/parts" --partitions "$P" > "$DIR/partition.log" 2> "$DIR/partition.time"
/usr/bin/python3 "$ROOT/bench/spec_for_data.py" "$ROOT/experiments/scale-100k.json" "$DIR/parts/part-000" "sample-of-$P" > "$DIR/spec.json"
/usr/bin/time -v $W run "$DIR/spec.json" --store "$DIR/store" --promote-as sampled > "$DIR/run.log" 2> "$DIR/run.time"
/usr/bin/time -v $W score --model sampled --data "$DIR/parts" --store "$DIR/store" --out "$DIR/scored-parts" > "$DIR/score-parts.log" 2> "$DIR/score-parts.time"
/usr/bin/time -v $W score --model sampled --data "$DATA" --store "$DIR/store" --out "$DIR/scored-whole" > "$DIR/score-whole.log" 2> "$DIR/score-whole.time"
same=$(diff -rq "$DIR/scored-parts" "$DIR/scored-whole" > /dev/null && echo identical || echo DIFFERENT)
echo "data: $DATA; $(grep -E '^Split' "$DIR/partition.log"); training on part-000: $(grep -E '^\s+churn\.auc ' "$DIR/run.log" | awk '{print "churn AUC " $2}'), $(grep -E '^\s+upsell\.auc ' "$DIR/run.log" | awk '{print "upsell AUC " $2}'); $(head -1 "$DIR/score-parts.log"); outputs of the two scorings: $same"
echo "| step | wall | CPU (s) | peak RSS (KB) | exit |"
echo "|---|---:|---:|---:|---:|"
row "partition into $P" "$DIR/partition.time"
row "run on part-000 (1/$P of the accounts)" "$DIR/run.time"
row "score, partitioned" "$DIR/score-parts.time"
row "score, whole dataset" "$DIR/score-whole.time"
if [ -n "${HEAP_LIMIT_MB:-}" ]; then
  limit=$(printf '0x%X' $((HEAP_LIMIT_MB * 1024 * 1024)))
  DOTNET_GCHeapHardLimit=$limit /usr/bin/time -v $W score --model sampled --data "$DIR/parts" --store "$DIR/store" --out "$DIR/capped-parts" > "$DIR/capped-parts.log" 2> "$DIR/capped-parts.time" || true
  DOTNET_GCHeapHardLimit=$limit /usr/bin/time -v $W score --model sampled --data "$DATA" --store "$DIR/store" --out "$DIR/capped-whole" > "$DIR/capped-whole.log" 2> "$DIR/capped-whole.time" || true
  row "score, partitioned, heap capped at $HEAP_LIMIT_MB MB" "$DIR/capped-parts.time"
  row "score, whole dataset, heap capped at $HEAP_LIMIT_MB MB" "$DIR/capped-whole.time"
  echo "capped whole-dataset scoring said: $(grep -m1 -iE 'error|memory' "$DIR/capped-whole.log" "$DIR/capped-whole.time" | head -1 || echo 'no error')"
fi
