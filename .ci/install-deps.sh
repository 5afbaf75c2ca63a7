#!/usr/bin/env bash
# Debian packages the tests use: the real Jupyter client and nbconvert (kernel tests), Python peers
# (xgboost for SHAP agreement; ipykernel as the peer of bench/kernel_bench.py), chromium (the scored-book report and
# notebook charts are opened headless through Playwright; notebook charts' static images are drawn in it),
# jupyter-notebook (classic Notebook 6: charts in an untrusted notebook). Idempotent: skips what is already installed.
set -euo pipefail
packages=(jupyter-client python3-nbclient jupyter-nbconvert python3-xgboost python3-sklearn python3-pandas chromium python3-ipykernel jupyter-notebook)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# .NET Interactive (the walkthroughs also run under its .net-csharp kernel): the Microsoft.dotnet-interactive tool from
# the NuGet registry into .tools/ (no global install) and its kernelspecs into .tools/jupyter/kernels.
bash "$(dirname "$0")/../tools/install-dotnet-interactive.sh"
