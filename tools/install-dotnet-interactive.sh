#!/usr/bin/env bash
# Installs .NET Interactive for running the walkthroughs under its .net-csharp kernel, without any global install:
#   - the Microsoft.dotnet-interactive tool (1.0.712001, from the NuGet registry) into .tools/dotnet-interactive
#   - its Jupyter kernelspecs into .tools/jupyter/kernels (.net-csharp, .net-fsharp, .net-powershell), with argv pointing
#     at that tool (the generated argv calls `dotnet interactive`, which needs a global or local-manifest install).
# Use them with JUPYTER_PATH=$PWD/.tools/jupyter (jupyter nbconvert, jupyter notebook, VS Code's kernel picker).
# Idempotent: an installed tool of the same version is kept.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version=1.0.712001
tool="$root/.tools/dotnet-interactive"
kernels="$root/.tools/jupyter/kernels"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT=1
if [ ! -x "$tool/dotnet-interactive" ] || ! grep -rqs "$version" "$tool/.store/microsoft.dotnet-interactive" 2>/dev/null; then
  rm -rf "$tool"
  dotnet tool install Microsoft.dotnet-interactive --version "$version" --tool-path "$tool" >/dev/null
fi
mkdir -p "$kernels"
"$tool/dotnet-interactive" jupyter install --path "$kernels" >/dev/null
# Point every kernelspec at the tool binary.
/usr/bin/python3 - "$kernels" "$tool/dotnet-interactive" <<'PY'
import json, os, sys
kernels, binary = sys.argv[1], sys.argv[2]
for name in os.listdir(kernels):
    path = os.path.join(kernels, name, "kernel.json")
    if not name.startswith(".net-") or not os.path.exists(path):
        continue
    spec = json.load(open(path))
    argv = spec["argv"]
    if argv[:2] == ["dotnet", "interactive"]:
        argv = [binary] + argv[2:]
    spec["argv"] = argv
    with open(path, "w") as f:
        json.dump(spec, f, indent=1)
PY
echo "dotnet-interactive $version in $tool; kernelspecs in $kernels (use JUPYTER_PATH=$root/.tools/jupyter)"
