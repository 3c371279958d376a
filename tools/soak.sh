#!/usr/bin/env bash
# Soak test of a long training run (docs/hardening.md): GRPO (vsGRPO-V) for 500 steps on a tiny model with a
# checkpoint every 50 steps. The model is the tests' warmed counting base (tests/support/warmed_base.cpp: the tiny
# architecture, random weights with the final norm scaled by 100, 50 SFT steps on counting questions, merged), so
# rewards differ within groups and every step runs a real backward pass and update. Completions are capped at 2
# tokens (a digit and the end token), so every step has the same shapes: memory that grows is a leak, not a longer
# batch (with 4 tokens, resident memory stepped up 20 MiB once, when the answers grew longer at step 444). Passes
# when at least half the steps had a gradient, resident memory stays flat (the largest rss_mb_max of metrics.csv
# after step 50 is under 5% above its value at step 50) and exactly train.keep_checkpoints checkpoints remain, each
# with its manifest. Prints the figures; exits 1 on a failed check. Not part of tools/test.sh (CTest label "long":
# `ctest --test-dir build -L long`).
# Usage: bash tools/soak.sh [--steps N] [--every N] [--keep N] [--out DIR]     Environment: VSR_BUILD_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
steps=500 every=50 keep=3 out=runs/soak
while [[ $# -gt 0 ]]; do
  case $1 in
    --steps) steps=$2; shift 2 ;;
    --every) every=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) sed -n 2,7p "$0"; exit 0 ;;
    *) echo "soak: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
build=${VSR_BUILD_DIR:-build}
[[ $build = /* ]] || build=$root/$build
rm -rf "$out" && mkdir -p "$out"
out=$(cd "$out" && pwd)
tiny=$root/tests/data/qwen2vl-tiny
quiet() { "$@" >>"$out/setup.log" 2>&1 || { tail -5 "$out/setup.log" >&2; echo "soak: set-up failed: $*" >&2; exit 1; }; }
quiet "$build/vsr" data synth --scenes 4 --seed 5 --out "$out/scenes" --synth.width 112 --synth.height 84 \
  --synth.seconds_per_turn 2
quiet "$build/vsr" data build --scannet "$out/scenes" --out "$out/count.jsonl" --data.dataset synthetic \
  --data.tasks object_counting --data.video_root "$out/scenes/videos"
quiet "$build/vsr" init-model --like "$tiny/model" --out "$out/random" --seed 3 --output-scale 100
quiet "$build/experiments/table2_sft" --config "$root/configs/tiny_train.ini" --model "$out/random" \
  --tokenizer "$tiny/tokenizer" --train "$out/count.jsonl" --out "$out/warmup" --runtime.threads 1 \
  --train.checkpoint_every 0 --train.steps 50 --train.batch_size 4 --train.lr 2e-3
quiet "$build/vsr" export --model "$out/random" --adapter "$out/warmup/adapter" --merge --dtype f32 --out "$out/base"
start=$(date +%s)
"$build/experiments/table2_vsgrpo_v" --config "$root/configs/tiny_train.ini" --model "$out/base" \
  --tokenizer "$tiny/tokenizer" --train "$out/count.jsonl" --out "$out/run" --runtime.threads 1 \
  --train.steps "$steps" --train.checkpoint_every "$every" --train.keep_checkpoints "$keep" --train.batch_size 2 \
  --grpo.num_generations 8 --sampling.max_new_tokens 2 --train.lr 2e-3 >"$out/run.log" 2>&1 || { tail -5 "$out/run.log" >&2; echo "soak: the run failed" >&2; exit 1; }
seconds=$(( $(date +%s) - start ))
# rss_mb_max at step `every` and the largest value after it.
read -r base peak peak_step < <(awk -F, -v every="$every" '
  NR == 1 { for (i = 1; i <= NF; ++i) { if ($i == "rss_mb_max") c = i; if ($i == "step") s = i }; next }
  $s == every { base = $c }
  $s > every && $c > peak { peak = $c; at = $s }
  END { print base, peak, at }' "$out/run/metrics.csv")
checkpoints=$(find "$out/run/checkpoints" -mindepth 1 -maxdepth 1 -name 'step-*' | sort)
count=$(echo "$checkpoints" | grep -c . || true)
manifests=$(find "$out/run/checkpoints" -mindepth 2 -maxdepth 2 -name manifest.json | wc -l)
trained=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; ++i) if ($i == "grad_norm") g = i; next } $g > 0 { n++ } END { print n + 0 }' \
  "$out/run/metrics.csv")
growth=$(awk -v a="$base" -v b="$peak" 'BEGIN { printf "%.2f", (b / a - 1) * 100 }')
echo "soak: $steps GRPO steps ($trained with a non-zero gradient) in $seconds s; resident memory at step $every: $base MiB, largest after it: $peak MiB" \
     "(step $peak_step, ${growth}%); checkpoints left: $count ($(echo $checkpoints | xargs -n1 basename | tr '\n' ' '))," \
     "$manifests with a manifest"
ok=1
awk -v g="$growth" 'BEGIN { exit !(g < 5.0) }' || { echo "soak: FAIL: memory grew ${growth}% (limit 5%)" >&2; ok=0; }
[[ $trained -ge $(( steps / 2 )) ]] || { echo "soak: FAIL: only $trained steps had a gradient" >&2; ok=0; }
[[ $count -eq $keep && $manifests -eq $keep ]] || { echo "soak: FAIL: expected $keep checkpoints with manifests" >&2; ok=0; }
[[ $ok -eq 1 ]] && echo "soak: passed" || exit 1
