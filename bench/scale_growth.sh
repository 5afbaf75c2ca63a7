#!/usr/bin/env bash
# Growth per account of the whole job: for each size, `workbench generate` (Parquet, 36 months, seed 42; once, not timed),
# `workbench run` with the scale spec's options (experiments/scale-100k.json with the data path changed) promoting the
# run, then `workbench score` with it, each under /usr/bin/time -v; one table row per size (#22, bench/README.md).
# Usage: bench/scale_growth.sh SIZE... (e.g. bench/scale_growth.sh 10000 30000 100000 300000)
# Needs a Release build: dotnet build -c Release src/Workbench.Cli. Work folder: $BENCH_DIR (default /tmp/workbench-growth);
# data folders $BENCH_DIR/crm-N (or $DATA_N, e.g. DATA_100000=/tmp/shared-crm-100000, to reuse a generated folder).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
W="dotnet $ROOT/src/Workbench.Cli/bin/Release/net10.0/workbench.dll"
DIR=${BENCH_DIR:-/tmp/workbench-growth}; mkdir -p "$DIR"
field() { grep "$2" "$1" | awk '{print $NF}'; }
cpu() { echo "$(field "$1" 'User time') $(field "$1" 'System time')" | awk '{printf "%.1f", $1 + $2}'; }
echo "| accounts | run wall | run CPU (s) | run peak RSS (KB) | score wall | score CPU (s) | score peak RSS (KB) | report/ (B) | AUC churn / upsell | load avg after |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for N in "$@"; do
  var="DATA_$N"; DATA=${!var:-$DIR/crm-$N}; OUT=$DIR/$N; rm -rf "$OUT"; mkdir -p "$OUT"
  [ -f "$DATA/accounts.parquet" ] || $W generate --accounts "$N" --months 36 --seed 42 --format parquet --out "$DATA" > "$OUT/generate.log"
  /usr/bin/python3 "$ROOT/bench/spec_for_data.py" "$ROOT/experiments/scale-100k.json" "$DATA" "scale-$N" > "$OUT/spec.json"
  /usr/bin/time -v $W run "$OUT/spec.json" --store "$OUT/store" --promote-as growth > "$OUT/run.log" 2> "$OUT/run.time"
  /usr/bin/time -v $W score --model growth --data "$DATA" --store "$OUT/store" --out "$OUT/scored" > "$OUT/score.log" 2> "$OUT/score.time"
  auc="$(grep -E '^\s+churn\.auc ' "$OUT/run.log" | awk '{print $2}') / $(grep -E '^\s+upsell\.auc ' "$OUT/run.log" | awk '{print $2}')"
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$N" \
    "$(field "$OUT/run.time" 'Elapsed (wall')" "$(cpu "$OUT/run.time")" "$(field "$OUT/run.time" 'Maximum resident')" \
    "$(field "$OUT/score.time" 'Elapsed (wall')" "$(cpu "$OUT/score.time")" "$(field "$OUT/score.time" 'Maximum resident')" \
    "$(du -sb "$OUT/scored/report" | cut -f1)" "$auc" "$(cut -d' ' -f1 /proc/loadavg)"
done
