#!/usr/bin/env bash
# Side-by-side performance run: the reference kit (shared/tools/hf-reference: transformers 4.45.1 / PyAV / JS and
# Python tokenizers) and `vsr perf`, alternately, on the same inputs and threads, then the kit's summarize.py.
# Run it on an idle machine (nothing else building or testing); see docs/performance.md.
#
# Usage: bash tools/perf_side_by_side.sh [OUT_DIR] [ROUNDS]
#   OUT_DIR  where results go (default $HF_REF_WORK/side-by-side/<UTC stamp>)
#   ROUNDS   reference + vsr rounds, alternating (default 2)
# Env:  HF_REF_WORK   the kit's work folder, prepared with the kit's setup.sh (default /tmp/hf-reference)
#       HF_REF_KIT    the kit folder (default shared/tools/hf-reference next to this checkout, else /work/shared/...)
#       VSR           the vsr program (default build/vsr)
#       PERF_THREADS  threads on both sides (default 2)
#       QUICK=1       1 repeat each (smoke test of this script; figures not for comparison)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
OUT="${1:-${HF_REF_WORK:-/tmp/hf-reference}/side-by-side/$STAMP}"
ROUNDS="${2:-2}"
export HF_REF_WORK="${HF_REF_WORK:-/tmp/hf-reference}"
KIT="${HF_REF_KIT:-}"
if [ -z "$KIT" ]; then
  for k in "$ROOT/shared/tools/hf-reference" "$ROOT/../shared/tools/hf-reference" /work/shared/tools/hf-reference; do
    [ -f "$k/run_all.sh" ] && { KIT="$(cd "$k" && pwd)"; break; }
  done
fi
[ -n "$KIT" ] && [ -f "$KIT/run_all.sh" ] || { echo "perf_side_by_side.sh: set HF_REF_KIT to the kit folder" >&2; exit 1; }
VSR="${VSR:-$ROOT/build/vsr}"
[ -x "$VSR" ] || { echo "perf_side_by_side.sh: $VSR not built (ninja -C build vsr_cli)" >&2; exit 1; }
export PERF_THREADS="${PERF_THREADS:-2}"
export OMP_NUM_THREADS="$PERF_THREADS" OPENBLAS_NUM_THREADS="$PERF_THREADS"
# the kit's defaults for usable figures: wait for an idle machine, redo contaminated measurements
export PERF_WAIT_IDLE_S="${PERF_WAIT_IDLE_S:-600}" PERF_RETRIES="${PERF_RETRIES:-3}"
export PERF_MAX_OTHER_CPU="${PERF_MAX_OTHER_CPU:-0.2}" PERF_IDLE_THRESHOLD="${PERF_IDLE_THRESHOLD:-0.15}"

# the same BLAS as the kit: OpenBLAS first on LD_LIBRARY_PATH when the default libblas.so.3 is another one
TRIPLET="$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)"
if [ "${HF_REF_KEEP_BLAS:-0}" != 1 ] && [ -f "/usr/lib/$TRIPLET/openblas-openmp/libblas.so.3" ] &&
   ! readlink -f "/usr/lib/$TRIPLET/libblas.so.3" | grep -q openblas; then
  export LD_LIBRARY_PATH="/usr/lib/$TRIPLET/openblas-openmp${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi

GOLDENS="${HF_REF_GOLDENS:-$KIT/../../goldens/qwen2vl-tiny}"
[ -d "$GOLDENS" ] || GOLDENS="$ROOT/tests/data/qwen2vl-tiny"
TINY="${HF_REF_TINY_MODEL:-$GOLDENS/model}"
CASE="${HF_REF_CASES:-$GOLDENS/cases}/video.safetensors"
TOKENIZER="${HF_REF_TOKENIZER:-$GOLDENS/tokenizer}"
MID="${HF_REF_MID_MODEL:-$HF_REF_WORK/models/mid}"
CORPUS="$HF_REF_WORK/corpus.txt"
VIDEO="$HF_REF_WORK/video_640x480_60s.mp4"

mkdir -p "$OUT"
export HF_REF_RESULTS="$OUT/reference"
# generated inputs (deterministic; the kit's scripts, as run_all.sh would make them)
[ -f "$MID/model.safetensors" ] || /usr/bin/python3 "$KIT/make_mid_model.py" --out "$MID"
[ -f "$CORPUS" ] || /usr/bin/python3 "$KIT/make_corpus.py" --out "$CORPUS"
[ -f "$VIDEO" ] || bash "$KIT/make_video.sh" "$VIDEO"

if [ "${QUICK:-0}" = 1 ]; then
  KITQ=(--quick); GEN=(--repeats 1 --prefill-repeats 2); LP=(--repeats 1); TOKR=(--repeats 1); AV=(--repeats 1); QA=(--repeats 1)
else  # the kit's full-run repeats
  KITQ=(); GEN=(--repeats 5 --prefill-repeats 7); LP=(--repeats 3); TOKR=(--repeats 5); AV=(--repeats 5); QA=(--repeats 3)
fi

vsr_round() {  # vsr_round <file>: every vsr workload, one line per measurement (stderr to <file>.log)
  local f="$1" T="--threads $PERF_THREADS --warmup 1"
  {
    echo "# vsr perf run $(date -u +%Y%m%dT%H%M%SZ) on $(hostname); vsr git $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo ?)"
    echo "# cpu: $(lscpu | sed -n 's/^Model name: *//p') x $(nproc); PERF_THREADS=$PERF_THREADS LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
    "$VSR" perf rollouts --model "$TINY,$MID" --case "$CASE" "${GEN[@]}" $T
    "$VSR" perf logprobs --model "$TINY,$MID" --case "$CASE" "${LP[@]}" $T
    "$VSR" perf tokenize --tokenizer "$TOKENIZER" --corpus "$CORPUS" "${TOKR[@]}" $T
    "$VSR" perf frames --video "$VIDEO" "${AV[@]}" $T
    "$VSR" perf qa --scenes 8 "${QA[@]}" $T
  } 2>>"$f.log" | tee "$f"
}

for r in $(seq 1 "$ROUNDS"); do
  echo "# ==== round $r: reference ($(date -u +%H:%M:%S))"
  bash "$KIT/run_all.sh" "${KITQ[@]}"
  echo "# ==== round $r: vsr ($(date -u +%H:%M:%S))"
  vsr_round "$OUT/vsr-$r.txt"
done

{
  echo "# side by side: $ROUNDS rounds, threads $PERF_THREADS, $(date -u)"
  /usr/bin/python3 "$KIT/summarize.py" $(for r in $(seq 1 "$ROUNDS"); do echo --vsr "$OUT/vsr-$r.txt"; done) \
    "$OUT"/reference/results-*.txt
} | tee "$OUT/summary.txt"
echo "# results in $OUT"
