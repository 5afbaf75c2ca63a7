#!/usr/bin/env bash
# Packs the Workbench library (Core, Data, Analytics, Reporting, Experiments) and its .NET Interactive extension
# (Workbench.Interactive) as NuGet packages into a local feed folder, and registers that folder as the NuGet package
# source "workbench-local" in the user's NuGet.Config (dotnet nuget add/update source), so that the walkthroughs' setup
# cell `#r "nuget: Workbench.Interactive, 0.1.*"` restores in .NET Interactive (.net-csharp), in Polyglot Notebooks, and
# `#:package Workbench.Experiments@0.1.*` in a file-based app. (.NET Interactive's `#i "nuget: DIR"` takes only an
# absolute path, which a notebook committed to a repository cannot carry; a named source works from any clone.)
#
#   bash tools/pack-local-feed.sh [FEED_DIR]      (default: ~/.local/share/workbench/feed; env WORKBENCH_FEED)
#
# The default feed lives outside the clone on purpose: the source is registered user-wide, and a feed folder inside a
# clone vanishes with the clone, after which EVERY restore on the machine fails (NU1301 "The local source ... doesn't
# exist"; it happened here after a checked-out copy was deleted).
#
# Version: 0.1.<number of commits on HEAD> (deterministic: the same commit gives the same version; WORKBENCH_VERSION
# overrides). The feed keeps only this version (older Workbench packages are removed, so the floating `0.1.*` of the
# setup cell picks what was just packed), and the NuGet global packages folder forgets this version's extracted copy
# (NuGet never re-extracts a version it has, so a repack of uncommitted changes would otherwise go unseen).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
feed="${1:-${WORKBENCH_FEED:-${XDG_DATA_HOME:-$HOME/.local/share}/workbench/feed}}"
if [ -n "${WORKBENCH_VERSION:-}" ]; then
  version="$WORKBENCH_VERSION"
elif count=$(git -C "$root" rev-list --count HEAD 2>/dev/null); then
  version="0.1.$count"
else
  echo "pack-local-feed: not a git checkout and WORKBENCH_VERSION is not set; cannot derive the package version" >&2
  exit 2
fi
projects=(Core Data Analytics Reporting Experiments Interactive)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

mkdir -p "$feed"
staging="$(mktemp -d "${TMPDIR:-/tmp}/workbench-feed.XXXXXX")"
trap 'rm -rf "$staging"' EXIT

dotnet build "$root/src/Workbench.Interactive/Workbench.Interactive.csproj" -c Release -p:WorkbenchVersion="$version" -nologo -v quiet -clp:ErrorsOnly
for p in "${projects[@]}"; do
  dotnet pack "$root/src/Workbench.$p/Workbench.$p.csproj" -c Release --no-build -p:WorkbenchVersion="$version" \
    -o "$staging" -nologo -v quiet -clp:ErrorsOnly
done

# Replace the feed's Workbench packages with the new ones only once every pack succeeded.
rm -f "$feed"/workbench.*.nupkg "$feed"/Workbench.*.nupkg
mv "$staging"/*.nupkg "$feed"/
packages_root="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
for p in "${projects[@]}"; do
  id="$(echo "workbench.$p" | tr '[:upper:]' '[:lower:]')"
  rm -rf "${packages_root:?}/$id/$version"
done
# The named source (idempotent): later restores, .NET Interactive's included, search the feed.
if dotnet nuget list source --format short 2>/dev/null | grep -q " $feed\$"; then :;
elif dotnet nuget list source 2>/dev/null | grep -q "workbench-local"; then
  dotnet nuget update source workbench-local --source "$feed" >/dev/null
else
  dotnet nuget add source "$feed" --name workbench-local >/dev/null
fi
echo "packed Workbench $version into $feed (NuGet source workbench-local):"
ls -1 "$feed" | grep -i '^workbench\.' | sed 's/^/  /'
