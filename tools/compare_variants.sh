#!/usr/bin/env bash
# Every GRPO-family recipe on the toy counting task, against a learning-rate-0 control (docs/training.md, "Measured
# on the toy"): builds the warmed base the tests use (4 synthetic scenes' counting questions, a random tiny
# Qwen2-VL warmed up by 50 SFT steps, merged), trains each recipe 30 steps per seed and prints the accuracy reward
# of the last 20% of steps (the control: its mean over all steps) as a Markdown table.
#   bash tools/compare_variants.sh [--out DIR] [--seeds "1 2 3"] [--batch 2] [-- extra recipe options]
set -euo pipefail
cd "$(dirname "$0")/.."
out=runs/compare_variants seeds="1 2 3" batch=2 extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --seeds) seeds=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "compare_variants.sh: unknown argument $1 (see the header of this file)" >&2; exit 2 ;;
  esac
done
B=build T=tests/data/qwen2vl-tiny
[ -x $B/experiments/dapo ] || { echo "compare_variants.sh: build first (bash tools/build.sh)" >&2; exit 2; }
mkdir -p "$out"
if [ ! -f "$out/base/done" ]; then
  $B/vsr data synth --scenes 4 --seed 5 --out "$out/scenes" --synth.width 112 --synth.height 84 \
      --synth.seconds_per_turn 2 >/dev/null
  $B/vsr data build --scannet "$out/scenes" --out "$out/count.jsonl" --data.dataset synthetic \
      --data.tasks object_counting --data.video_root "$out/scenes/videos" >/dev/null
  $B/vsr init-model --like $T/model --out "$out/random" --seed 3 --output-scale 100 >/dev/null
  $B/experiments/table2_sft --model "$out/random" --out "$out/sft" --config configs/tiny_train.ini --tokenizer $T/tokenizer \
      --train "$out/count.jsonl" --train.checkpoint_every 0 --train.steps 50 --train.batch_size 4 --train.lr 2e-3 >/dev/null 2>&1
  $B/vsr export --model "$out/random" --adapter "$out/sft/adapter" --merge --dtype f32 --out "$out/base" >/dev/null
  touch "$out/base/done"
fi
recipes="control table2_vsgrpo_v dapo dr_grpo gspo cispo rloo reinforce_pp vsgrpo_eq1"
total=$(( $(echo $recipes | wc -w) * $(echo $seeds | wc -w) )) done_runs=0
for seed in $seeds; do
  for name in $recipes; do
    program=$name lr=2e-3
    [ "$name" = control ] && { program=table2_vsgrpo_v; lr=0; }
    run="$out/$name-$seed"; rm -rf "$run"
    $B/experiments/$program --model "$out/base" --out "$run" --config configs/tiny_train.ini --tokenizer $T/tokenizer \
        --train "$out/count.jsonl" --train.checkpoint_every 0 --train.steps 30 --train.batch_size "$batch" --train.lr $lr \
        --grpo.num_generations 8 --sampling.max_new_tokens 4 --runtime.seed "$seed" "${extra[@]}" >"$run.log" 2>&1 ||
      { echo "compare_variants.sh: $name (seed $seed) failed, see $run.log" >&2; exit 1; }
    done_runs=$((done_runs + 1))
    printf '\r[%-30s] %d/%d runs' "$(printf '#%.0s' $(seq 1 $((30 * done_runs / total))))" $done_runs $total >&2
  done
done
echo >&2
python3 - "$out" $seeds <<'PY'
import csv, sys
out, seeds = sys.argv[1], sys.argv[2:]
print("| recipe | " + " | ".join(f"seed {s}" for s in seeds) + " | mean |")
print("|---|" + "---|" * (len(seeds) + 1))
for name in "control table2_vsgrpo_v dapo dr_grpo gspo cispo rloo reinforce_pp vsgrpo_eq1".split():
    vals = []
    for s in seeds:
        r = [float(x["reward/accuracy_mean"]) for x in csv.DictReader(open(f"{out}/{name}-{s}/metrics.csv"))]
        vals.append(sum(r) / len(r) if name == "control" else sum(r[-6:]) / 6)
    print(f"| {name} | " + " | ".join(f"{v:.2f}" for v in vals) + f" | {sum(vals) / len(vals):.2f} |")
PY
