#!/usr/bin/env bash
# Builds the `fuzz` preset (clang 14, libFuzzer + ASan + UBSan, torch-free) and runs every fuzz target for a bounded
# time, niced, from the committed seeds in fuzz/corpus/<name>/ (copied to build-fuzz/corpus/<name>/, which keeps
# what the fuzzer finds between runs). Prints executions, exec/s and findings per target; crashers, leaks,
# timeouts and OOMs are saved under build-fuzz/findings/<name>/. See docs/hardening.md.
#
# Usage: tools/fuzz.sh [SECONDS_PER_TARGET (default 60)] [TARGET ...]   e.g. tools/fuzz.sh 600 ply video
# Environment: FUZZ_PARALLEL=N runs N targets at once (default 1); FUZZ_NO_BUILD=1 skips the build; FUZZ_TIMEOUT=S
# is the per-input time limit (default 10 s; the tokenizer target loads the real 151k-merge vocabulary on its first
# input, which takes longer than that under ASan on a busy machine).
# Exit status: 0 when no target produced a finding, 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-60}
shift || true
ALL=(safetensors hf_config tokenizer chat_messages ply scannet_json vsibench_records ini_config answer_parsing video checkpoint_manifest)
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=("${ALL[@]}")
PARALLEL=${FUZZ_PARALLEL:-1}

max_len() {  # longest input per format
  case $1 in
    answer_parsing|ini_config) echo 1024 ;;
    tokenizer) echo 2048 ;;
    vsibench_records) echo 16384 ;;
    video) echo 131072 ;;
    *) echo 8192 ;;
  esac
}

if [ -z "${FUZZ_NO_BUILD:-}" ]; then
  cmake --preset fuzz >/dev/null || exit 1
  nice -n 10 cmake --build --preset fuzz -- -j2 >/dev/null || { echo "fuzz build failed" >&2; exit 1; }
fi

run_one() {
  local t=$1
  local bin=build-fuzz/fuzz/fuzz_$t corpus=build-fuzz/corpus/$t findings=build-fuzz/findings/$t log=build-fuzz/logs/$t.log
  mkdir -p "$corpus" "$findings" build-fuzz/logs
  [ -d fuzz/corpus/$t ] && cp -n fuzz/corpus/$t/* "$corpus"/ 2>/dev/null
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    nice -n 10 "$bin" -max_total_time="$SECONDS_PER_TARGET" -max_len="$(max_len "$t")" -timeout="${FUZZ_TIMEOUT:-10}" \
    -rss_limit_mb=2048 -malloc_limit_mb=1024 -print_final_stats=1 -artifact_prefix="$findings/" "$corpus" \
    >"$log" 2>&1
  local rc=$?
  local execs rate found
  execs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
  rate=$(grep -m1 'stat::average_exec_per_sec' "$log" | awk '{print $2}')
  found=$(find "$findings" -type f -newer "$log.start" 2>/dev/null | wc -l)
  printf '%-18s rc=%-3s execs=%-10s exec/s=%-7s corpus=%-5s new findings=%s\n' "$t" "$rc" "${execs:-?}" "${rate:-?}" \
    "$(ls "$corpus" | wc -l)" "$found"
  [ "$found" -eq 0 ] && [ "$rc" -eq 0 ]
}

status=0
running=0
for t in "${TARGETS[@]}"; do
  mkdir -p build-fuzz/logs && touch "build-fuzz/logs/$t.log.start"
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$PARALLEL" ]; then
    wait -n || status=1
    running=$((running - 1))
  fi
done
while [ "$running" -gt 0 ]; do
  wait -n || status=1
  running=$((running - 1))
done
[ $status -ne 0 ] && echo "findings: see build-fuzz/findings/ and build-fuzz/logs/" >&2
exit $status
