#!/usr/bin/env bash
# vsr's main job (the README's first command): set-up and build if needed, then run the Qwen2-VL implementation end
# to end on the tiny checkpoint shipped in tests/data: every conformance check against transformers 4.45.1, then a
# sampled answer to a question about the golden video. (The full quickstart — synthetic data, vsGRPO and SFT
# training, evaluation — replaces this as those parts land.)
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/build.sh vsr_cli
build_dir=${VSR_BUILD_DIR:-build}
"$build_dir/vsr" golden tests/data/qwen2vl-tiny
