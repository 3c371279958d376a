#!/usr/bin/env bash
# tools/make_object_lists.py on a hand-made scene folder: the answer is the distinct furniture labels, sorted, without
# floor and wall; a folder with no scenes is a one-line error naming it, with nothing written; --score's set F1.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/rooms/s1" "$tmp/rooms/videos/synthetic" "$tmp/empty"
printf '{"segGroups": [{"label": "wall"}, {"label": "sofa"}, {"label": "chair"}, {"label": "floor"}, {"label": "chair"}]}' \
  > "$tmp/rooms/s1/s1.aggregation.json"
: > "$tmp/rooms/videos/synthetic/s1.mp4"
python3 "$src/tools/make_object_lists.py" --scenes "$tmp/rooms" --out "$tmp/out.jsonl"
python3 - "$tmp/out.jsonl" "$tmp/rooms" <<'PY'
import json, os, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 1, rows
r = rows[0]
assert r["answer"] == "chair, sofa", r
assert r["answer_type"] == "text" and r["task"] == "object_list", r
assert r["video"] == os.path.join(os.path.abspath(sys.argv[2]), "videos", "synthetic", "s1.mp4"), r
PY
if err=$(python3 "$src/tools/make_object_lists.py" --scenes "$tmp/empty" --out "$tmp/none.jsonl" 2>&1); then
  echo "expected a failure for a folder with no scenes"; exit 1
fi
[[ $(printf '%s\n' "$err" | wc -l) -eq 1 && $err == *"$tmp/empty"*"--scenes"* ]] || { echo "bad error: $err"; exit 1; }
[[ ! -e $tmp/none.jsonl ]] || { echo "a failed run left a file"; exit 1; }
# --score: set F1 per room, then the mean: {chair, sofa} vs {chair, lamp} is 0.5; {bed} vs "bed, bed" is 1.
printf '%s\n' '{"ground_truth": "chair, sofa", "prediction": "chair, lamp"}' \
  '{"ground_truth": "bed", "prediction": "bed, bed"}' > "$tmp/pred.jsonl"
out=$(python3 "$src/tools/make_object_lists.py" --score "$tmp/pred.jsonl")
[[ $out == "object-list F1 0.750 over 2 rooms"* ]] || { echo "bad score: $out"; exit 1; }
echo "make_object_lists: passed"
