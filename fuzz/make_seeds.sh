#!/usr/bin/env bash
# Regenerates the seed corpora fuzz/corpus/<target>/ from tests/data and from small synthetic files (docs/hardening.md).
# Usage: fuzz/make_seeds.sh [VSR_PROGRAM]   (default build/vsr; needed for the synthetic scene and video seeds)
# Needs jq. Seeds are kept small (the whole corpus stays well under 2 MB).
set -euo pipefail
cd "$(dirname "$0")/.."
VSR=${1:-build/vsr}
DATA=tests/data
OUT=fuzz/corpus
rm -rf "$OUT"
mkdir -p "$OUT"/{safetensors,hf_config,tokenizer,chat_messages,ply,scannet_json,vsibench_records,ini_config,answer_parsing,video,checkpoint_manifest}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# --- safetensors: small files built byte by byte (8-byte little-endian header length, JSON header, data).
st() {  # st NAME HEADER_JSON DATA_HEX
  local n=${#2}
  printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x\\x00\\x00\\x00\\x00' $((n & 255)) $((n >> 8 & 255)) $((n >> 16 & 255)) $((n >> 24 & 255)))" > "$OUT/safetensors/$1"
  printf '%s' "$2" >> "$OUT/safetensors/$1"
  printf '%s' "$3" | xxd -r -p >> "$OUT/safetensors/$1"
}
st f32_vector.safetensors '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}' 0000803f00000040
st two_tensors_metadata.safetensors '{"__metadata__":{"format":"pt"},"b":{"dtype":"BF16","shape":[1,2],"data_offsets":[0,4]},"c":{"dtype":"I64","shape":[],"data_offsets":[4,12]}}' 803f00400700000000000000
st empty_tensor.safetensors '{"e":{"dtype":"U8","shape":[0,3],"data_offsets":[0,0]}}' ''
st all_dtypes.safetensors '{"b":{"dtype":"BOOL","shape":[1],"data_offsets":[0,1]},"i8":{"dtype":"I8","shape":[1],"data_offsets":[1,2]},"i16":{"dtype":"I16","shape":[1],"data_offsets":[2,4]},"i32":{"dtype":"I32","shape":[1],"data_offsets":[4,8]},"f16":{"dtype":"F16","shape":[1],"data_offsets":[8,10]},"f64":{"dtype":"F64","shape":[1],"data_offsets":[10,18]}}' 01ff0100020000000000003c000000000000f03f
st padded_header.safetensors '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}      ' 0000803f
# The header of the tiny golden model (its tensors' data left out: the seed is a truncated file).
head -c $((8 + $(od -An -t u8 -N 8 $DATA/qwen2vl-tiny/model/model.safetensors))) $DATA/qwen2vl-tiny/model/model.safetensors \
  > "$OUT/safetensors/tiny_model_header_only.safetensors"
printf '%s' '{"metadata":{"total_size":4},"weight_map":{"t":"a.safetensors"}}' > "$OUT/safetensors/index.json"

# --- config.json
cp $DATA/qwen2vl-tiny/model/config.json "$OUT/hf_config/tiny_config.json"
jq -c 'del(.vision_config.in_chans, .vision_config.spatial_patch_size) | .vision_config.in_channels = 3 | .vision_config.patch_size = 14' \
  $DATA/qwen2vl-tiny/model/config.json > "$OUT/hf_config/class_spelling.json"
jq -c '.eos_token_id = [1, 2] | .sliding_window = null | .rope_scaling = {"type": "mrope", "mrope_section": [2, 1, 1]}' \
  $DATA/qwen2vl-tiny/model/config.json > "$OUT/hf_config/variants.json"

# --- tokenizer: the texts of the golden tokenizer cases (one file each) and of the hard cases.
i=0
while read -r b; do
  printf '%s' "$b" | base64 -d > "$OUT/tokenizer/case_$i.txt"
  i=$((i + 1))
done < <(jq -r '.[] | .text | @base64' $DATA/qwen2vl-tiny/tokenizer_cases.json)
i=0
while read -r b; do
  printf '%s' "$b" | base64 -d > "$OUT/tokenizer/hard_$i.txt"
  i=$((i + 1))
done < <(jq -r '.encode[] | .text | @base64' $DATA/tokenizer/qwen2vl_hard_cases.json | head -n 40)

# --- chat messages
printf '%s' '[{"role":"user","content":[{"type":"video"},{"type":"text","text":"How many chairs are in the room?"}]}]' > "$OUT/chat_messages/video_question.json"
printf '%s' '[{"role":"system","content":"You are helpful."},{"role":"user","content":[{"type":"image","image":"a.png"},{"type":"text","text":"Describe."}]},{"role":"assistant","content":"<think>a</think><answer>b</answer>"}]' > "$OUT/chat_messages/three_roles.json"
printf '%s' '[{"role":"user","content":"plain text"}]' > "$OUT/chat_messages/string_content.json"

# --- VSI-Bench records and builder records: the first lines of the official scorer goldens, and an array file.
head -n 12 $DATA/vsibench_metric/records.jsonl > "$OUT/vsibench_records/records_head.jsonl"
tail -n 12 $DATA/vsibench_metric/records.jsonl > "$OUT/vsibench_records/records_tail.jsonl"
head -n 6 $DATA/vsibench_metric/raises.jsonl > "$OUT/vsibench_records/raises_head.jsonl"
head -n 4 $DATA/vsibench_metric/records.jsonl | jq -s -c '.' > "$OUT/vsibench_records/records_array.json"

# --- INI configs
printf '[grpo]\ngroup_size = 4\nbeta = 0.5\nuse_kl = false\nmode = observe\nseed = 18446744073709551615\nsteps = -3\nlr = 1e-5\n' > "$OUT/ini_config/all_keys.ini"
printf '# comment\ntokenizer = tests/data/qwen2vl-tiny/tokenizer\ndecode = true\n\n[grpo]\n; another comment\nbeta=0.04\n' > "$OUT/ini_config/top_level.ini"

# --- answers
for s in '3.5' ' -1_000.25e-2 ' '٣٫٥' 'infinity' '-NaN' '<think>count the chairs</think> <answer>4</answer>' \
         '<observe>a sofa</observe><answer>B. left</answer>' 'about 1,200 m' 'A.' '+.5' '1e400' 'B'; do
  printf '%s' "$s" > "$OUT/answer_parsing/seed_$(printf '%s' "$s" | md5sum | cut -c1-8).txt"
done

# --- synthetic ScanNet scene (mesh, segments, aggregation, meta) and walkthrough video, made small.
if [ -x "$VSR" ]; then
  "$VSR" data synth --scenes 1 --out "$TMP/synth" --synth.width 64 --synth.height 48 --synth.fps 2 \
    --synth.seconds_per_turn 2 --synth.mesh_spacing 0.5 --synth.min_objects 2 --synth.max_objects 3 >/dev/null
  scene=$(ls "$TMP/synth" | grep -v videos | head -n 1)
  dir="$TMP/synth/$scene"
  cp "$dir/${scene}.aggregation.json" "$OUT/scannet_json/aggregation.json"
  cp "$dir/${scene}.txt" "$OUT/scannet_json/meta.txt"
  head -c 300 "$dir/${scene}_vh_clean_2.0.010000.segs.json" | sed 's/,[^,]*$/]}/' > "$OUT/scannet_json/segs_head.json"
  # The 4-vertex scene of fuzz_scannet_json: segments, "\n#\n", aggregation, "\n#\n", meta.
  printf '{"segIndices":[0,0,1,1]}\n#\n{"segGroups":[{"objectId":0,"label":"chair","segments":[0]},{"id":1,"label":"table","segments":[1,0]}]}\n#\naxisAlignment = 1 0 0 0.5 0 1 0 0 0 0 1 0 0 0 0 1\n' \
    > "$OUT/scannet_json/scene_split.txt"
  find "$TMP/synth" -name '*.mp4' | head -n 1 | xargs -I{} cp {} "$OUT/video/synthetic_walkthrough.mp4"
fi
printf 'ply\nformat binary_little_endian 1.0\ncomment tiny\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\nelement face 1\nproperty list uchar int vertex_indices\nend_header\n' > "$OUT/ply/triangle.ply"
printf '0000000000000000000000000000803f000000000000000000000000803f0000000003000000000100000002000000' | xxd -r -p >> "$OUT/ply/triangle.ply"
# --- checkpoint manifest.json (and an INI text for the resume-configuration helpers)
printf '{"format": "vsr-checkpoint-manifest", "version": 1, "step": 50, "config_sha256": "%s", "files": [{"path": "adapter_model.safetensors", "bytes": 318376, "sha256": "%s"}, {"path": "sub/trainer_state.json", "bytes": 90, "sha256": "%s"}]}\n' \
  "$(printf 'a%.0s' {1..64})" "$(printf '0%.0s' {1..64})" "$(printf 'f%.0s' {1..64})" > "$OUT/checkpoint_manifest/manifest.json"
printf '# resolved\nmodel = /m\nout = /o\n\n[train]\nlr = 0.001\nschedule = constant\nsteps = 10\n\n[eval]\nlimit = 3\n' \
  > "$OUT/checkpoint_manifest/config.ini"
du -sh "$OUT"; for d in "$OUT"/*; do echo "$(ls "$d" | wc -l) $(du -sh "$d" | cut -f1) $d"; done
