#!/usr/bin/env bash
# vsr's main job (the README's first command): the paper's method end to end on a 2-core CPU in minutes.
#   1. set-up and build if needed;
#   2. synthetic rooms with walkthrough videos, split by scene: warm-up, train and held-out test scenes; questions in
#      VSI-Bench form (choice tasks with lettered options); all eight VSI-Bench tasks for the warm-up and the test,
#      the six VSI-100k tasks (route planning and appearance order held out) for SFT and vsGRPO;
#   3. the toy base: the real Qwen2-VL architecture at toy size (configs/toy_model: hidden 128, 4 layers, vision
#      embed 64, a 2,270-token cut of Qwen2's BPE), random weights (or --base DIR), then a short full-weight SFT
#      warm-up on the warm-up scenes (the stand-in for pre-training: it teaches the answer format and first priors);
#   4. the base evaluated on the held-out scenes with VSI-Bench's scoring;
#   5. vsGRPO-V (vanilla prompt, accuracy reward read by VSI-Bench's rule, k3 KL with beta 1e-4) and, for comparison,
#      SFT, both LoRA from that base on the train scenes, each evaluated on the held-out scenes;
#   6. the paper-style table, each Avg and each difference with a 95% paired-bootstrap interval, the verdict those
#      intervals support, the answers VSI-Bench's scorer cannot read, and the reward curves (PNG), all in OUT/report/;
#   7. a blind control: vsGRPO-V asked with each question given another scene's video (`--eval.videos other-scene`),
#      against itself with the right videos: a toy whose score does not drop answers from the question alone.
#   --scale medium adds the paper's two ablations at toy scale: KL (Fig. 4: think mode, beta 0 vs 1e-4) and the
#   prompt modes (vsGRPO-T / -O / -V).
#
# Usage: bash tools/quickstart.sh [--scale smoke|small|medium] [--out DIR] [--model DIR --tokenizer DIR]
#                                 [--device cpu|cuda] [--seed N] [--base DIR] [--objects MIN-MAX]
#                                 [--no-build]
#   --scale   smoke: seconds (the CI test); small (default): ~10 minutes on 2 cores; medium: ~1 hour, with ablations.
#   --model   start from a real Qwen2-VL checkpoint instead of the toy base (no warm-up), e.g. with --device cuda.
#   --base    start the warm-up from this toy instead of random weights, e.g. one pre-trained to see by
#             tools/make_toy_base.sh (runs/toy_base; a relative path is taken from the repository root).
#   --objects MIN-MAX  furniture objects placed per synthetic room (default 20-36; tools/make_toy_base.sh uses 4-8).
#   --seed    every run's [runtime] seed and, without --base, the toy's initial weights (default: runtime seed
#             1234, init seed 3);
#             the scenes and questions stay the same, so runs with different seeds measure the training's spread.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
scale=small out=runs/quickstart model="" tokenizer="" device=cpu build=1 seed="" base="" objects=20-36
while [[ $# -gt 0 ]]; do
  case $1 in
    --scale) scale=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --model) model=$2; shift 2 ;;
    --tokenizer) tokenizer=$2; shift 2 ;;
    --device) device=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --base) base=$2; shift 2 ;;
    --objects) objects=$2; shift 2 ;;
    -h|--help) sed -n 2,30p "$0"; exit 0 ;;
    *) echo "quickstart: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
# scenes per split (warm-up, train, held-out test), warm-up / GRPO / SFT steps, GRPO group size, frames per video
case $scale in
  smoke)  sw=2  st=2  sh=2  warm_steps=6   grpo_steps=3   sft_steps=3   group=4 frames=4 ;;
  small)  sw=96 st=96 sh=48 warm_steps=200 grpo_steps=800 sft_steps=800 group=14 frames=8 ;;
  medium) sw=96 st=96 sh=96 warm_steps=200 grpo_steps=800 sft_steps=800 group=14 frames=8 ;;
  *) echo "quickstart: --scale must be smoke, small or medium, got '$scale'" >&2; exit 2 ;;
esac
[[ $objects =~ ^[0-9]+-[0-9]+$ ]] && (( ${objects%-*} >= 1 && ${objects%-*} <= ${objects#*-} )) ||
  { echo "quickstart: --objects must be MIN-MAX with 1 <= MIN <= MAX (e.g. 4-8), got '$objects'" >&2; exit 2; }
[[ -n $base && -n $model ]] && { echo "quickstart: --base (a toy to warm up) and --model (no warm-up) exclude each other" >&2; exit 2; }
build_dir=${VSR_BUILD_DIR:-build}
start=$(date +%s)
stage() { printf '\n== %s (%d s)\n' "$1" $(( $(date +%s) - start )); }
quiet() {  # runs a command with its output in a log file; on failure prints the log's tail and stops
  local log=$1; shift
  if ! "$@" >"$log" 2>&1; then tail -20 "$log" >&2; echo "quickstart: failed: $* (log: $log)" >&2; exit 1; fi
}

programs=(vsr_cli table2_vsgrpo_v table2_sft)
[[ $scale == medium ]] && programs+=(sft_all_modes table2_vsgrpo_t table2_vsgrpo_o grpo_no_kl)
if [[ $build -eq 1 ]]; then
  stage "set-up and build"
  bash tools/build.sh "${programs[@]}"
fi
[[ $build_dir = /* ]] || build_dir=$root/$build_dir
vsr=$build_dir/vsr
exp=$build_dir/experiments
mkdir -p "$out"
out=$(cd "$out" && pwd)
data=$out/data
logs=$out/logs
mkdir -p "$logs"
pipeline_start=$(date +%s)

stage "synthetic scenes and questions (split by scene)"
synth() {  # name seed scenes
  local made="seed $2 scenes $3 objects $objects"
  [[ -f $data/$1/done && $(cat "$data/$1/done") == "$made" ]] && return  # made before, same settings
  rm -rf "$data/$1"
  quiet "$logs/synth_$1.log" "$vsr" data synth --scenes "$3" --seed "$2" --out "$data/$1" --synth.width 112 \
    --synth.height 84 --synth.seconds_per_turn 2 --synth.min_objects "${objects%-*}" --synth.max_objects "${objects#*-}"
  echo "$made" > "$data/$1/done"
}
synth warmup 101 $sw &
synth train 202 $st
wait
synth test 303 $sh
# Every split in VSI-Bench form (lettered options for choice tasks): the toy has no instruction following to carry
# VSI-100k's option-free choice answers over to the benchmark's letters (vsr's choice, see README).
train_tasks=object_counting,object_rel_direction_easy,object_rel_direction_medium,object_rel_direction_hard
train_tasks+=,object_size_estimation,object_abs_distance,room_size_estimation,object_rel_distance
build_split() {  # split [--data.tasks LIST]
  local split=$1; shift
  quiet "$logs/build_$split.log" "$vsr" data build --scannet "$data/$split" --out "$data/$split.jsonl" \
    --data.dataset synthetic --data.video_root "$data/$split/videos" --with-options "$@"
}
# The warm-up (the toy's pre-training) sees every task form, as Qwen2-VL's pre-training saw general video QA (the
# paper's base scores 18.9 on appearance order); SFT and vsGRPO train on the six VSI-100k tasks only, so route
# planning and appearance order stay held out from the method's training data, as in the paper.
build_split warmup
build_split train --data.tasks $train_tasks
build_split test
for split in warmup train test; do echo "$split: $(wc -l < "$data/$split.jsonl") questions"; done

# One thread per process: the two cores run two jobs at once (GRPO beside base evaluation + SFT), which is faster
# than two-thread OpenMP regions contending with each other.
common=(--config "$root/configs/tiny_train.ini" --runtime.device "$device" --runtime.threads 1
  --train.checkpoint_every 0 --video.frames $frames)
[[ -n $seed ]] && common+=(--runtime.seed "$seed")
if [[ -z $model ]]; then
  tokenizer=$root/configs/toy_model/tokenizer
  if [[ -z $base ]]; then
    stage "toy base: random Qwen2-VL (configs/toy_model) + ${warm_steps}-step full-weight SFT warm-up"
    quiet "$logs/init_model.log" "$vsr" init-model --like "$root/configs/toy_model" --out "$out/random" --seed "${seed:-3}"
    init=$out/random init_label="toy Qwen2-VL (configs/toy_model)"
  else
    [[ -f $base/model.safetensors ]] || { echo "quickstart: --base $base: expected a model folder (model.safetensors)" >&2; exit 2; }
    stage "toy base: $base + ${warm_steps}-step full-weight SFT warm-up"
    init=$(cd "$base" && pwd) init_label="toy Qwen2-VL from $base"
  fi
  rm -rf "$out/warmup"
  # Medium: every warm-up question is asked in one of the three prompt modes and answered in that mode's format
  # (experiments/sft_all_modes.cpp), so the think / observe ablations start from a base that follows their formats.
  warmup=(table2_sft) base_modes="vanilla"
  [[ $scale == medium ]] && warmup=(sft_all_modes --sft.target formatted) base_modes="think, observe and vanilla"
  quiet "$logs/warmup.log" "$exp/${warmup[0]}" "${warmup[@]:1}" "${common[@]}" --model "$init" \
    --tokenizer "$tokenizer" --train "$data/warmup.jsonl" --out "$out/warmup" --train.steps $warm_steps \
    --train.batch_size 8 --train.lr 1e-3 --train.schedule cosine --train.warmup_steps $(( (warm_steps + 9) / 10 )) \
    --train.full_weights=true
  model=$out/warmup/model
  base_label="$init_label + ${warm_steps}-step full-weight SFT warm-up ($base_modes) on separate scenes"
else
  base_label="$model"
fi
tokenizer=${tokenizer:-$model}

# Every model is evaluated in vanilla mode with its training instruction (the toy knows no other wording); the
# think / observe ablations also in their own mode (Table 2's T and O rows).
evaluate() {  # run_dir [adapter [mode max_new_tokens [more vsr eval options]]]
  local adapter=() mode=${3:-vanilla} tokens=${4:-12}
  [[ -n ${2:-} ]] && adapter=(--adapter "$2")
  quiet "$1/eval_$mode.log" "$vsr" eval --runtime.device "$device" --runtime.threads 1 --frames $frames \
    --model "$model" --tokenizer "$tokenizer" "${adapter[@]}" --records "$data/test.jsonl" --mode "$mode" \
    --prompt train --eval.max_new_tokens "$tokens" "${@:5}" --out "$1/eval/$mode"
}
train_args=(--model "$model" --tokenizer "$tokenizer" --train "$data/train.jsonl" --train.batch_size 8
  --sampling.max_new_tokens 12)

stage "vsGRPO-V (vanilla, accuracy reward, k3 KL beta 1e-4, G=$group, $grpo_steps steps) beside: base evaluation, SFT"
rm -rf "$out/vsgrpo_v" "$out/sft" "$out/base"
mkdir -p "$out/base"
printf '{"recipe": "base", "algorithm": "none", "prompt_mode": "vanilla", "model": "%s", "status": "finished"}\n' \
  "$base_label" > "$out/base/run.json"
quiet "$logs/vsgrpo_v.log" "$exp/table2_vsgrpo_v" "${common[@]}" "${train_args[@]}" --out "$out/vsgrpo_v" \
  --train.steps $grpo_steps --train.lr 5e-4 --grpo.num_generations $group --kl.beta 1e-4 &
grpo_pid=$!
evaluate "$out/base"
quiet "$logs/sft.log" "$exp/table2_sft" "${common[@]}" "${train_args[@]}" --out "$out/sft" --train.steps $sft_steps \
  --train.lr 5e-4
evaluate "$out/sft" "$out/sft/adapter"
wait $grpo_pid || { echo "quickstart: vsGRPO-V failed (log: $logs/vsgrpo_v.log)" >&2; exit 1; }
stage "evaluate vsGRPO-V on the held-out scenes, and (blind control) with each question given another scene's video"
rm -rf "$out/vsgrpo_v_blind" && mkdir -p "$out/vsgrpo_v_blind"
printf '{"recipe": "vsgrpo_v_other_scene_videos", "algorithm": "none", "prompt_mode": "vanilla", "model": "%s", "status": "finished"}\n' \
  "vsGRPO-V's adapter, each question asked with another scene's video (vsr eval --eval.videos other-scene)" \
  > "$out/vsgrpo_v_blind/run.json"
evaluate "$out/vsgrpo_v_blind" "$out/vsgrpo_v/adapter" vanilla 12 --eval.videos other-scene &
blind_pid=$!
evaluate "$out/vsgrpo_v" "$out/vsgrpo_v/adapter"
wait $blind_pid || { echo "quickstart: the blind control failed (log: $out/vsgrpo_v_blind/eval_vanilla.log)" >&2; exit 1; }

runs=("$out/base" "$out/sft" "$out/vsgrpo_v" "$out/vsgrpo_v_blind")
if [[ $scale == medium ]]; then
  stage "ablations: prompt modes (vsGRPO-T, vsGRPO-O) and KL (think mode, beta 1e-4 vs 0), two at a time"
  ablation() {  # name program mode [options]
    rm -rf "${out:?}/$1"
    quiet "$logs/$1.log" "$exp/$2" "${common[@]}" "${train_args[@]}" --out "$out/$1" --train.steps $grpo_steps \
      --train.lr 5e-4 --grpo.num_generations $group --sampling.max_new_tokens 48 "${@:4}"
    evaluate "$out/$1" "$out/$1/adapter"
    evaluate "$out/$1" "$out/$1/adapter" "$3" 48
  }
  ablation vsgrpo_t table2_vsgrpo_t think --kl.beta 1e-4 &
  ablation vsgrpo_t_beta0 grpo_no_kl think
  wait
  ablation vsgrpo_o table2_vsgrpo_o observe --kl.beta 1e-4
  runs+=("$out/vsgrpo_t" "$out/vsgrpo_t_beta0" "$out/vsgrpo_o")
fi

stage "report"
quiet "$logs/report.log" "$vsr" report "${runs[@]}" --out "$out/report"
quiet "$logs/report_vs_sft.log" "$vsr" report "${runs[@]}" --baseline table2_sft --out "$out/report/vs_sft"
sed -n '/^## VSI-Bench results/,/^## Runs/p' "$out/report/report.md" | grep -v '^## Runs'
echo "vsGRPO-V against SFT (paired bootstrap, SFT as the baseline):"
grep '^| Method | Eval mode | Avg. | 95% CI' "$out/report/vs_sft/report.md"
grep '^| table2_vsgrpo_v | vanilla | [-0-9.]* | \[' "$out/report/vs_sft/report.md"
quiet "$logs/report_blind.log" "$vsr" report "$out/vsgrpo_v" "$out/vsgrpo_v_blind" --baseline table2_vsgrpo_v \
  --out "$out/report/blind"
echo "Blind control: vsGRPO-V asked with other scenes' videos, against vsGRPO-V with the right ones (no drop = the"
echo "answers do not use the video):"
grep '^| Method | Eval mode | Avg. | 95% CI' "$out/report/blind/report.md"
grep '^| vsgrpo_v_other_scene_videos | vanilla | [-0-9.]* | \[' "$out/report/blind/report.md"

# The shape the smoke test asserts: four result rows (the blind control's too), the bootstrap numbers, the count of answers VSI-Bench's scorer
# cannot read, the reward curves.
for label in base table2_sft table2_vsgrpo_v vsgrpo_v_other_scene_videos; do
  grep -q "^| $label " "$out/report/report.md" || { echo "quickstart: report.md has no row $label" >&2; exit 1; }
done
[[ -s $out/report/bootstrap.json ]] || { echo "quickstart: no report/bootstrap.json" >&2; exit 1; }
grep -q '^| Method | Eval mode | Unreadable | Answers | By task |' "$out/report/report.md" ||
  { echo "quickstart: report.md has no table of unreadable answers" >&2; exit 1; }
ls "$out/report/"*.png >/dev/null 2>&1 || echo "quickstart: note: no PNG figures (gnuplot missing?)" >&2
echo
echo "base: $base_label"
echo "pipeline (data to report, build excluded): $(( $(date +%s) - pipeline_start )) s"
echo "shape ok; run folder: $out (report/report.md, report/bootstrap.json, report/*.png, metrics, adapters)"
