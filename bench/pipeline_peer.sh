#!/usr/bin/env bash
# The whole job beside its pandas/xgboost peer on the same CSV folder, interleaved: `workbench run` (the scale spec's
# options, experiments/scale-100k.json, with the data path changed) then `workbench score` with the promoted model, and
# bench/pipeline_pandas.py (same stages, fewer features and outputs: see its docstring), each under /usr/bin/time -v.
# Usage: bench/pipeline_peer.sh CSV_DATA_DIR [ROUNDS=2]
#   dotnet src/Workbench.Cli/bin/Release/net10.0/workbench.dll generate --accounts 100000 --months 36 --seed 42 --format csv --out /tmp/crm-100000-csv
#   bench/pipeline_peer.sh /tmp/crm-100000-csv 2
# Needs a Release build (dotnet build -c Release src/Workbench.Cli) and python3-pandas, python3-xgboost, python3-sklearn.
# Work folder: $BENCH_DIR (default /tmp/workbench-peer).
set -euo pipefail
DATA=$(cd "${1:?csv data dir}" && pwd); ROUNDS=${2:-2}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
W="dotnet $ROOT/src/Workbench.Cli/bin/Release/net10.0/workbench.dll"
DIR=${BENCH_DIR:-/tmp/workbench-peer}; mkdir -p "$DIR"
/usr/bin/python3 "$ROOT/bench/spec_for_data.py" "$ROOT/experiments/scale-100k.json" "$DATA" > "$DIR/spec.json"
line() { # label, time file
  printf '%s: wall %s, user %s s, sys %s s, peak RSS %s KB, load %s\n' "$1" \
    "$(grep 'Elapsed (wall' "$2" | awk '{print $NF}')" "$(grep 'User time' "$2" | awk '{print $NF}')" \
    "$(grep 'System time' "$2" | awk '{print $NF}')" "$(grep 'Maximum resident' "$2" | awk '{print $NF}')" "$(cut -d' ' -f1 /proc/loadavg)"
}
for r in $(seq 1 "$ROUNDS"); do
  R=$DIR/round$r; rm -rf "$R"; mkdir -p "$R"
  /usr/bin/time -v $W run "$DIR/spec.json" --store "$R/store" --promote-as peer > "$R/run.log" 2> "$R/run.time"
  line "round $r workbench run" "$R/run.time"
  grep -E '^\s+(churn|upsell)\.auc ' "$R/run.log" | tr -s ' ' | sed 's/^/  /'
  /usr/bin/time -v $W score --model peer --data "$DATA" --store "$R/store" --out "$R/scored" > "$R/score.log" 2> "$R/score.time"
  line "round $r workbench score" "$R/score.time"
  /usr/bin/time -v /usr/bin/python3 "$ROOT/bench/pipeline_pandas.py" "$DATA" "$R/pandas" > "$R/pandas.log" 2> "$R/pandas.time"
  line "round $r pandas/xgboost pipeline" "$R/pandas.time"
  sed 's/^/  /' "$R/pandas.log" | tail -3
done
