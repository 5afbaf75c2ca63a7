#!/usr/bin/env bash
# Debian packages the tests use: the real Jupyter client and nbconvert (kernel tests), Python peers
# (xgboost for SHAP agreement; ipykernel as the peer of bench/kernel_bench.py), chromium (the scored-book report is opened headless through Playwright). Idempotent: skips what is already installed.
set -euo pipefail
packages=(jupyter-client python3-nbclient jupyter-nbconvert python3-xgboost python3-sklearn python3-pandas chromium python3-ipykernel)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
