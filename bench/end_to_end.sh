#!/usr/bin/env bash
# End-to-end job at a given size: generate (once, not timed), `workbench run` on the sample spec with only the data path
# changed (plus optional ranking overrides), promote, then `workbench score`, each under /usr/bin/time -v.
# Usage: bench/end_to_end.sh ACCOUNTS [LABEL] [RANKING_OVERRIDES_JSON]
#   bench/end_to_end.sh 10000 monthly
#   bench/end_to_end.sh 10000 quarterly '"train_step_months": 3, "threads": 2'
# Needs a Release build: dotnet build -c Release src/Workbench.Cli. Work folder: $BENCH_DIR (default /tmp/workbench-e2e).
set -euo pipefail
N=${1:?accounts}; LABEL=${2:-monthly}; OVERRIDES=${3:-}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
W="dotnet $ROOT/src/Workbench.Cli/bin/Release/net10.0/workbench.dll"
DIR=${BENCH_DIR:-/tmp/workbench-e2e}; DATA=$DIR/crm-$N; OUT=$DIR/$N-$LABEL
mkdir -p "$DIR"; rm -rf "$OUT"; mkdir -p "$OUT"
[ -f "$DATA/accounts.parquet" ] || $W generate --accounts "$N" --months 36 --seed 42 --format parquet --out "$DATA"
/usr/bin/python3 "$ROOT/bench/spec_for_data.py" "$ROOT/experiments/sample.json" "$DATA" e2e "$OVERRIDES" > "$OUT/spec.json"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$OUT/load.txt"
/usr/bin/time -v $W run "$OUT/spec.json" --store "$OUT/store" --promote-as e2e > "$OUT/run.log" 2> "$OUT/run.time"
WORKBENCH_TIMINGS=1 /usr/bin/time -v $W score --model e2e --data "$DATA" --store "$OUT/store" --out "$OUT/scored" > "$OUT/score.log" 2> "$OUT/score.time"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/load.txt"
for s in run score; do
  printf '%s %s: wall %s, user %s s, sys %s s, peak RSS %s KB\n' "$N-$LABEL" "$s" \
    "$(grep 'Elapsed (wall' "$OUT/$s.time" | awk '{print $NF}')" "$(grep 'User time' "$OUT/$s.time" | awk '{print $NF}')" \
    "$(grep 'System time' "$OUT/$s.time" | awk '{print $NF}')" "$(grep 'Maximum resident' "$OUT/$s.time" | awk '{print $NF}')"
done | tee "$OUT/summary.txt"
echo "report folder: $(du -sh "$OUT/scored/report" | cut -f1)" | tee -a "$OUT/summary.txt"
grep -ho '"auc"[^,]*' "$OUT"/store/runs/*/metrics.json 2>/dev/null | head -4 | tee -a "$OUT/summary.txt" || true
