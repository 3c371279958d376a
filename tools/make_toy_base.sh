#!/usr/bin/env bash
# Makes a toy that has learned to see the synthetic rooms' furniture (configs/toy_model's architecture, 5.3 MB), for
# `bash tools/quickstart.sh --base runs/toy_base`. Its pre-training is a captioning stand-in: 896 synthetic rooms of 4-8
# objects (seeds 101 and 404), one "Which objects are in this room?" record per room (tools/make_object_lists.py; the
# answer lists the room's categories), 3,000 full-weight SFT steps (batch 8, lr 1e-3 cosine, 8 frames) from
# `vsr init-model --seed 3`; then it lists the objects of 48 held-out rooms. About 20 minutes on 2 cores. Deterministic on one machine kind and
# LibTorch build (one thread, fixed seeds, CPU-independent x264): a re-run on 2026-12-03 wrote a model.safetensors
# byte-identical to the one measured. Measured on held-out rooms (48, seed 303): object-list
# F1 0.432 with each room's own video, 0.205 with another room's (the toy sees; a blind toy scores the same on both).
# Usage: bash tools/make_toy_base.sh [--out DIR] [--work DIR] [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD out=runs/toy_base work=${TMPDIR:-/tmp}/vsr_toy_base build=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --out) out=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n 2,9p "$0"; exit 0 ;;
    *) echo "make_toy_base: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
out=${out%/}
[[ $build -eq 1 ]] && bash tools/build.sh vsr_cli table2_sft
bin=${VSR_BUILD_DIR:-build}; [[ $bin = /* ]] || bin=$root/$bin
mkdir -p "$work"
rooms=(--synth.width 112 --synth.height 84 --synth.seconds_per_turn 2 --synth.min_objects 4 --synth.max_objects 8)
echo "== synthetic rooms (96 + 800)"
[[ -f $work/a/done ]] || { rm -rf "$work/a"; "$bin/vsr" data synth --scenes 96 --seed 101 --out "$work/a" "${rooms[@]}" && touch "$work/a/done"; }
[[ -f $work/b/done ]] || { rm -rf "$work/b"; "$bin/vsr" data synth --scenes 800 --seed 404 --out "$work/b" "${rooms[@]}" && touch "$work/b/done"; }
python3 tools/make_object_lists.py --scenes "$work/a" --scenes "$work/b" --out "$work/objects.jsonl"
echo "== random toy and 3,000 object-list steps"
rm -rf "$work/random" "$work/run"
"$bin/vsr" init-model --like configs/toy_model --out "$work/random" --seed 3
"$bin/experiments/table2_sft" --config configs/tiny_train.ini --runtime.threads 1 --train.checkpoint_every 0 \
  --video.frames 8 --model "$work/random" --tokenizer configs/toy_model/tokenizer --train "$work/objects.jsonl" \
  --out "$work/run" --train.steps 3000 --train.batch_size 8 --train.lr 1e-3 --train.schedule cosine \
  --train.warmup_steps 300 --train.full_weights=true
mkdir -p "$(dirname "$out")" && rm -rf "$out.tmp" && cp -r "$work/run/model" "$out.tmp" && rm -rf "$out" && mv "$out.tmp" "$out"
echo "wrote $out ($(du -sh "$out" | cut -f1))"
echo "== held-out rooms (48, seed 303): object lists with each room's own video and with another room's"
[[ -f $work/test/done ]] || { rm -rf "$work/test"; "$bin/vsr" data synth --scenes 48 --seed 303 --out "$work/test" "${rooms[@]}" && touch "$work/test/done"; }
python3 tools/make_object_lists.py --scenes "$work/test" --out "$work/test_objects.jsonl"
for videos in own other-scene; do
  extra=(); [[ $videos == other-scene ]] && extra=(--eval.videos other-scene)
  rm -rf "$work/eval_$videos"
  "$bin/vsr" eval --runtime.threads 1 --frames 8 --model "$out" --tokenizer configs/toy_model/tokenizer \
    --records "$work/test_objects.jsonl" --mode vanilla --prompt train --eval.max_new_tokens 48 "${extra[@]}" \
    --out "$work/eval_$videos" > "$work/eval_$videos.log"
  printf '%-12s ' "$videos:"; python3 tools/make_object_lists.py --score "$work/eval_$videos/predictions.jsonl"
done
