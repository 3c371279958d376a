#!/usr/bin/env bash
# vsr's main job (the README's first command): the paper's method end to end on a laptop CPU in minutes.
#   1. set-up and build if needed;
#   2. synthetic rooms with walkthrough videos, split by scene: warm-up, train and held-out test scenes;
#   3. a small Qwen2-VL-architecture base model: random weights (`vsr init-model`), then a short SFT warm-up on the
#      warm-up scenes (documented as such: R1-Zero-style RL needs a base whose rewards are not all zero), merged;
#   4. the base evaluated on the held-out scenes with VSI-Bench's scoring (vanilla prompt);
#   5. vsGRPO-V (vanilla prompt, accuracy reward, k3 KL with beta 1e-4) and, for comparison, SFT, both from that base
#      on the train scenes, each evaluated on the held-out scenes;
#   6. the paper-style table and the reward curves (PNG) in OUT/report/, and an honest verdict on the rewards.
#
# Usage: bash tools/quickstart.sh [--scale smoke|small|medium] [--out DIR] [--model DIR --tokenizer DIR]
#                                 [--device cpu|cuda] [--no-build]
#   --scale   smoke: seconds (the CI test); small (default): a few minutes on 2 cores; medium: more data and steps.
#   --model   start from a real Qwen2-VL checkpoint instead of the toy base (no warm-up), e.g. with --device cuda.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
scale=small out=runs/quickstart model="" tokenizer="" device=cpu build=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --scale) scale=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --model) model=$2; shift 2 ;;
    --tokenizer) tokenizer=$2; shift 2 ;;
    --device) device=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n 2,17p "$0"; exit 0 ;;
    *) echo "quickstart: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
case $scale in
  smoke)  scenes_warm=2 scenes_train=2 scenes_test=1 warm_steps=10 grpo_steps=4  sft_steps=4   group=4 ;;
  small)  scenes_warm=6 scenes_train=6 scenes_test=3 warm_steps=150 grpo_steps=60 sft_steps=60 group=8 ;;
  medium) scenes_warm=12 scenes_train=16 scenes_test=6 warm_steps=300 grpo_steps=200 sft_steps=200 group=8 ;;
  *) echo "quickstart: --scale must be smoke, small or medium, got '$scale'" >&2; exit 2 ;;
esac
build_dir=${VSR_BUILD_DIR:-build}
start=$(date +%s)
stage() { printf '\n== %s (%d s)\n' "$1" $(( $(date +%s) - start )); }

if [[ $build -eq 1 ]]; then
  stage "set-up and build"
  bash tools/build.sh vsr_cli table2_vsgrpo_v table2_sft
fi
[[ $build_dir = /* ]] || build_dir=$root/$build_dir
vsr=$build_dir/vsr
exp=$build_dir/experiments
mkdir -p "$out"
out=$(cd "$out" && pwd)
data=$out/data

stage "synthetic scenes and questions (split by scene)"
synth() {  # name seed scenes
  [[ -f $data/$1/done ]] && return
  rm -rf "$data/$1"
  "$vsr" data synth --scenes "$3" --seed "$2" --out "$data/$1" --synth.width 112 --synth.height 84 \
    --synth.seconds_per_turn 2 >/dev/null
  touch "$data/$1/done"
}
synth warmup 101 $scenes_warm
synth train 202 $scenes_train
synth test 303 $scenes_test
# Training splits in VSI-100k form (choice answers are entity names); the test split in VSI-Bench form (options).
# The toy trains on the numeric tasks, where the paper's relative-error reward gives partial credit from the start.
train_tasks=object_counting,object_size_estimation,room_size_estimation,object_abs_distance
"$vsr" data build --scannet "$data/warmup" --out "$data/warmup.jsonl" --data.dataset synthetic \
  --data.video_root "$data/warmup/videos" --data.tasks $train_tasks >/dev/null
"$vsr" data build --scannet "$data/train" --out "$data/train.jsonl" --data.dataset synthetic \
  --data.video_root "$data/train/videos" --data.tasks $train_tasks >/dev/null
"$vsr" data build --scannet "$data/test" --out "$data/test.jsonl" --data.dataset synthetic \
  --data.video_root "$data/test/videos" --with-options >/dev/null
for split in warmup train test; do echo "$split: $(wc -l < "$data/$split.jsonl") questions"; done

common=(--config "$root/configs/tiny_train.ini" --runtime.device "$device" --train.checkpoint_every 0)
if [[ -z $model ]]; then
  stage "toy base model: random Qwen2-VL (tiny config) + SFT warm-up on the warm-up scenes"
  tokenizer=$root/tests/data/qwen2vl-tiny/tokenizer
  "$vsr" init-model --like "$root/tests/data/qwen2vl-tiny/model" --out "$out/random" --seed 3 --output-scale 100
  rm -rf "$out/warmup"
  "$exp/table2_sft" "${common[@]}" --model "$out/random" --tokenizer "$tokenizer" --train "$data/warmup.jsonl" \
    --out "$out/warmup" --train.steps $warm_steps --train.batch_size 4 --train.lr 2e-3 >/dev/null
  "$vsr" export --model "$out/random" --adapter "$out/warmup/adapter" --merge --dtype f32 --out "$out/base_model" >/dev/null
  model=$out/base_model
  base_label="toy Qwen2-VL (hidden 32, 2 layers) + ${warm_steps}-step SFT warm-up on separate scenes"
else
  base_label="$model"
fi
tokenizer=${tokenizer:-$model}

stage "evaluate the base on the held-out scenes"
mkdir -p "$out/base"
printf '{"recipe": "base", "algorithm": "none", "prompt_mode": "vanilla", "model": "%s", "status": "finished"}\n' \
  "$base_label" > "$out/base/run.json"
"$vsr" eval --runtime.device "$device" --video.frames 4 --processor.min_pixels 3136 --processor.max_pixels 50176 \
  --model "$model" --tokenizer "$tokenizer" --records "$data/test.jsonl" --mode vanilla \
  --eval.max_new_tokens 8 --out "$out/base/eval/vanilla" >/dev/null

train_args=(--model "$model" --tokenizer "$tokenizer" --train "$data/train.jsonl" --eval "$data/test.jsonl"
  --train.batch_size 2 --train.lr 2e-3 --eval.max_new_tokens 8 --sampling.max_new_tokens 4)
stage "vsGRPO-V (vanilla prompt, accuracy reward, k3 KL beta 1e-4, G=$group) from the base"
rm -rf "$out/vsgrpo_v"
"$exp/table2_vsgrpo_v" "${common[@]}" "${train_args[@]}" --out "$out/vsgrpo_v" --train.steps $grpo_steps \
  --grpo.num_generations $group --kl.beta 1e-4 >/dev/null
stage "SFT from the base (same data)"
rm -rf "$out/sft"
"$exp/table2_sft" "${common[@]}" "${train_args[@]}" --out "$out/sft" --train.steps $sft_steps >/dev/null

stage "report"
"$vsr" report "$out/base" "$out/sft" "$out/vsgrpo_v" --out "$out/report" >/dev/null
sed -n '/^|/p' "$out/report/report.md" | head -12
verdict=$(awk -F, -v col='reward/accuracy_mean' '
  NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
  { v[NR - 1] = $c; n = NR - 1 }
  END { k = int(n / 5); if (k < 1) k = 1;
        for (i = 1; i <= k; i++) { a += v[i]; b += v[n - k + i] }
        printf "%.3f %.3f", a / k, b / k }' "$out/vsgrpo_v/metrics.csv")
read -r first last <<< "$verdict"
echo
echo "base: $base_label"
echo "vsGRPO-V mean accuracy reward: first 20% of steps $first, last 20% $last"
if awk -v a="$first" -v b="$last" 'BEGIN { exit !(b > a) }'; then
  echo "verdict: the accuracy reward rose during GRPO training."
else
  echo "verdict: the accuracy reward did NOT rise at this scale (try --scale medium; see README)."
fi
echo "run folder: $out (report/report.md, report/*.png, metrics, adapters); $(( $(date +%s) - start )) s in all"
