#!/usr/bin/env bash
# Installs the Debian packages if needed, configures and builds vsr into ./build (Release, Ninja, ccache when present).
# Usage: bash tools/build.sh [ninja targets...]      Environment: VSR_BUILD_DIR (default build), VSR_JOBS.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
build_dir=${VSR_BUILD_DIR:-build}
jobs=${VSR_JOBS:-$(nproc)}
if [[ ! -f "$build_dir/build.ninja" ]]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
ninja -C "$build_dir" -j "$jobs" "$@"
