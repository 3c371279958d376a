#!/usr/bin/env bash
# vsr's test command (the README's second command; .ci/run calls it): set-up and build if needed, then the whole
# GoogleTest suite through CTest. Exits non-zero on any build or test failure.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
bash tools/build.sh
build_dir=${VSR_BUILD_DIR:-build}
echo "tools/test.sh: built in $(( $(date +%s) - start )) s; running the tests"
# Tests labelled "long" (the soak run of tools/soak.sh) are left out: `ctest --test-dir build -L long` runs them.
ctest --test-dir "$build_dir" -j "${VSR_JOBS:-$(nproc)}" --output-on-failure --timeout 900 -LE long
