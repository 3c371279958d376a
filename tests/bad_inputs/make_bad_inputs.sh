#!/usr/bin/env bash
# Regenerates the bad-input catalogue tests/bad_inputs/ (the manifest.json beside it is written by hand; see
# docs/hardening.md). Usage: tests/bad_inputs/make_bad_inputs.sh [VSR_PROGRAM]  (default build/vsr, used to write
# the small valid MP4 that the corrupt videos are cut from).
set -euo pipefail
cd "$(dirname "$0")"
VSR=${1:-../../build/vsr}
keep=$(mktemp); cp video/fuzz_oom_sample_table.mp4 "$keep"
find . -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +
mkdir -p video && mv "$keep" video/fuzz_oom_sample_table.mp4
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

le32() { printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)))"; }
st() {  # st PATH HEADER_JSON DATA_HEX [CLAIMED_HEADER_LENGTH_HEX16]: an 8-byte length, the JSON header, the data
  mkdir -p "$(dirname "$1")"
  if [ -n "${4:-}" ]; then printf '%s' "$4" | xxd -r -p > "$1"; else { le32 ${#2}; le32 0; } > "$1"; fi
  printf '%s' "$2" >> "$1"
  printf '%s' "$3" | xxd -r -p >> "$1"
}

# --- safetensors (vsr inspect FILE)
d=safetensors
st $d/truncated_data.safetensors '{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}' 0000803f00000040
st $d/lying_offsets.safetensors '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,12]}}' 0000803f000000400000803f
st $d/overlapping.safetensors '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}' 0000803f000000400000803f
st $d/huge_shape.safetensors '{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}}' 0000803f00000040
st $d/huge_consistent_claim.safetensors '{"a":{"dtype":"U8","shape":[1099511627776],"data_offsets":[0,1099511627776]}}' 00
st $d/huge_header_length.safetensors '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}' 0000803f ffffffffffffff7f
st $d/header_past_end.safetensors '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}' 0000803f 0001000000000000
st $d/bad_json.safetensors '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]' 0000803f
st $d/unknown_dtype.safetensors '{"a":{"dtype":"Q4","shape":[1],"data_offsets":[0,4]}}' 0000803f
st $d/negative_dimension.safetensors '{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}' 0000803f
st $d/duplicate_key.safetensors '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}' 0000803f0000803f
printf '\x05\x00' > $d/three_bytes_short.safetensors
: > $d/empty.safetensors
st $d/gap_between_tensors.safetensors '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}' 0000803f000000000000803f

# A valid one-tensor checkpoint used by the folder cases.
st "$TMP/good.safetensors" '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}' 0000803f00000040
mkdir -p checkpoint/missing_shard
printf '{"metadata":{"total_size":8},"weight_map":{"a":"model-00001-of-00002.safetensors"}}\n' > checkpoint/missing_shard/model.safetensors.index.json
mkdir -p checkpoint/shard_escapes_folder
printf '{"metadata":{"total_size":8},"weight_map":{"a":"../missing_shard/model.safetensors.index.json"}}\n' > checkpoint/shard_escapes_folder/model.safetensors.index.json

# --- config.json beside a valid model.safetensors (vsr inspect DIR)
tiny=../data/qwen2vl-tiny/model/config.json
cfg() { mkdir -p config/$1 && cp "$TMP/good.safetensors" config/$1/model.safetensors && cat > config/$1/config.json; }
printf '{"model_type": "qwen2_vl", "hidden_size": 32,\n' | cfg not_json
jq '.num_attention_heads = 5' $tiny | cfg heads_do_not_divide
jq '.vision_config.depth = -2' $tiny | cfg negative_depth
jq '.vocab_size = "big"' $tiny | cfg string_vocab_size
jq '.rope_scaling.mrope_section = [1, 1, 9]' $tiny | cfg bad_mrope_section

# --- tokenizer folders (vsr tokenize --tokenizer DIR)
small_tokenizer() {  # a tiny valid tokenizer in tokenizer/$1: the 256 byte tokens of the golden vocab, "ab", one merge
  mkdir -p tokenizer/$1
  jq -c 'to_entries | map(select(.value < 256)) | from_entries | .["ab"] = 256' ../data/qwen2vl-tiny/tokenizer/vocab.json > tokenizer/$1/vocab.json
  printf '#version: 0.2\na b\n' > tokenizer/$1/merges.txt
  printf '{"added_tokens_decoder": {"257": {"content": "<|im_end|>", "special": true}}, "eos_token": "<|im_end|>"}\n' > tokenizer/$1/tokenizer_config.json
}
small_tokenizer missing_merges; rm tokenizer/missing_merges/merges.txt
small_tokenizer vocab_not_ids; printf '{"a": "zero", "b": 1}\n' > tokenizer/vocab_not_ids/vocab.json
small_tokenizer bad_merges_line; printf '#version: 0.2\na b\na b ab\n' > tokenizer/bad_merges_line/merges.txt
small_tokenizer added_token_id_taken; printf '{"added_tokens_decoder": {"256": {"content": "<|im_end|>", "special": true}}}\n' > tokenizer/added_token_id_taken/tokenizer_config.json
small_tokenizer merge_of_unknown_token; printf '#version: 0.2\na b\nab zz\n' > tokenizer/merge_of_unknown_token/merges.txt
mkdir -p tokenizer/tokenizer_json_truncated
printf '{"model": {"type": "BPE", "vocab": {"a": 0, "b": 1}, "merges": ["a b"' > tokenizer/tokenizer_json_truncated/tokenizer.json

# --- ScanNet scene folders (vsr data build --scannet DIR --out OUT): one broken file each, the others valid.
plyhead() { printf 'ply\nformat binary_little_endian 1.0\nelement vertex %s\nproperty float x\nproperty float y\nproperty float z\nproperty uchar red\nproperty uchar green\nproperty uchar blue\nelement face %s\nproperty list uchar int vertex_indices\nend_header\n' "$1" "$2"; }
vertices_hex=000000000000000000000000ff00000000803f000000000000000000ff00000000000000803f000000000000ff00000000000000000000803fffffff
faces_hex=030000000001000000020000000300000000020000000300000003000000000300000001000000
scene() {  # scene CASE: a valid 4-vertex, 3-face scene
  local s=scannet/$1/scene0000_00
  mkdir -p $s
  { plyhead 4 3; printf '%s%s' $vertices_hex $faces_hex | xxd -r -p; } > $s/scene0000_00_vh_clean_2.ply
  printf '{"sceneId": "scene0000_00", "segIndices": [0, 0, 1, 1]}\n' > $s/scene0000_00_vh_clean_2.0.010000.segs.json
  printf '{"sceneId": "scene0000_00", "segGroups": [{"objectId": 0, "id": 0, "label": "chair", "segments": [0]}, {"objectId": 1, "id": 1, "label": "table", "segments": [1]}]}\n' > $s/scene0000_00.aggregation.json
  printf 'axisAlignment = 1 0 0 0 0 1 0 0 0 0 1 0 0 0 0 1\nnumColorRows = 968\n' > $s/scene0000_00.txt
  echo $s
}
s=$(scene ply_truncated); { plyhead 4 3; printf '%s' $vertices_hex | xxd -r -p | head -c 40; } > $s/scene0000_00_vh_clean_2.ply
s=$(scene ply_huge_vertex_count); { plyhead 999999999999999999 3; printf '%s%s' $vertices_hex $faces_hex | xxd -r -p; } > $s/scene0000_00_vh_clean_2.ply
s=$(scene ply_face_index_out_of_range); { plyhead 4 1; printf '%s%s' $vertices_hex 03000000000100000009000000 | xxd -r -p; } > $s/scene0000_00_vh_clean_2.ply
s=$(scene ply_ascii); printf 'ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nproperty float y\nproperty float z\nend_header\n0 0 0\n' > $s/scene0000_00_vh_clean_2.ply
s=$(scene segs_wrong_count); printf '{"segIndices": [0, 0, 1]}\n' > $s/scene0000_00_vh_clean_2.0.010000.segs.json
s=$(scene segs_not_json); printf '{"segIndices": [0, 0, 1, 1\n' > $s/scene0000_00_vh_clean_2.0.010000.segs.json
s=$(scene segs_float_index); printf '{"segIndices": [0, 0.5, 1, 1]}\n' > $s/scene0000_00_vh_clean_2.0.010000.segs.json
s=$(scene aggregation_missing_label); printf '{"segGroups": [{"objectId": 0, "segments": [0]}]}\n' > $s/scene0000_00.aggregation.json
s=$(scene aggregation_unknown_segment); printf '{"segGroups": [{"objectId": 0, "label": "chair", "segments": [7]}]}\n' > $s/scene0000_00.aggregation.json
s=$(scene txt_fifteen_numbers); printf 'axisAlignment = 1 0 0 0 0 1 0 0 0 0 1 0 0 0 0\n' > $s/scene0000_00.txt
s=$(scene txt_not_a_number); printf 'axisAlignment = 1 0 0 0 0 1 0 0 0 0 1 0 0 0 0 nan\n' > $s/scene0000_00.txt
# A folder with no scene in it (a wrong path, an unpacked archive one level too high).
mkdir -p scannet/no_scenes/not_a_scene && printf 'notes\n' > scannet/no_scenes/not_a_scene/README

# --- VSI-Bench records (vsr score --records FILE --scores OUT)
r=records; mkdir -p $r
good='{"id": 1, "dataset": "scannet", "scene_name": "scene0000_00", "question_type": "object_counting", "question": "How many chairs?", "options": null, "ground_truth": "4", "prediction": "4"}'
{ echo "$good"; echo '{"id": 2, "question_type": "object_counting", '; } > $r/truncated_line.jsonl
{ echo "$good"; echo '{"id": 2, "dataset": "scannet", "scene_name": "s", "question": "q", "ground_truth": "4", "prediction": "4"}'; } > $r/missing_question_type.jsonl
{ echo "$good"; echo "${good/object_counting/object_weight}"; } > $r/unknown_question_type.jsonl
echo "${good/\"options\": null/\"options\": \"A. left\"}" > $r/options_not_array.jsonl
echo "${good/\"ground_truth\": \"4\"/\"ground_truth\": \"0\"}" > $r/zero_ground_truth.jsonl
echo "${good/, \"prediction\": \"4\"/}" > $r/missing_prediction.jsonl
echo '[{"id": 1}, ' > $r/array_truncated.json
: > $r/empty.jsonl
printf '\n  \n\n' > $r/blank_lines.jsonl   # vsr data stats: no records, only blank lines
# Generic QA records (docs/data.md) through vsr data stats: an unknown answer type; a video and images at once.
echo '{"id": "a", "question": "q", "answer": "x", "answer_type": "word"}' > $r/generic_bad_answer_type.jsonl
echo '{"id": "a", "question": "q", "answer": "x", "answer_type": "text", "video": "v.mp4", "images": ["i.png"]}' \
  > $r/generic_video_and_images.jsonl

# --- camera tracks (vsr data frames --camera FILE): not JSON, no frames, a position of two numbers, a matrix of 15
c=camera; mkdir -p $c
printf '{"frames": [' > $c/truncated.json
echo '{"frames": []}' > $c/no_frames.json
echo '{"frames": [{"position": [0, 0], "yaw": 0, "pitch": 0}]}' > $c/short_position.json
echo '{"frames": [{"camera_to_world": [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0]}]}' > $c/short_matrix.json

# --- checkpoint manifests (vsr checkpoint verify DIR): truncated JSON, a file whose hash differs, a path escaping
# the folder
cm=checkpoint_manifest; mkdir -p $cm/truncated $cm/hash_mismatch $cm/escaping_path
a64=$(printf 'a%.0s' {1..64})
printf '{"format": "vsr-checkpoint-manifest", "version": 1, "step": 2,' > $cm/truncated/manifest.json
printf 'abc' > $cm/hash_mismatch/a.txt
printf '{"format": "vsr-checkpoint-manifest", "version": 1, "step": 2, "config_sha256": "%s", "files": [{"path": "a.txt", "bytes": 3, "sha256": "%s"}]}' \
  "$a64" "$(printf 'abd' | sha256sum | cut -d' ' -f1)" > $cm/hash_mismatch/manifest.json
printf '{"format": "vsr-checkpoint-manifest", "version": 1, "step": 2, "config_sha256": "%s", "files": [{"path": "../a.txt", "bytes": 3, "sha256": "%s"}]}' \
  "$a64" "$(printf 'abc' | sha256sum | cut -d' ' -f1)" > $cm/escaping_path/manifest.json

# --- INI configs (--config FILE of vsr data synth / vsr score)
mkdir -p ini
printf '[synth]\nwidth = 64\nwidht = 48\n' > ini/unknown_key.ini
printf '[synth]\nwidth = wide\n' > ini/bad_int_value.ini
printf '[synth]\nwrite_video = maybe\n' > ini/bad_bool_value.ini
printf '[synth\nwidth = 64\n' > ini/unclosed_section.ini

# --- videos (vsr video info FILE)
mkdir -p video
"$VSR" data synth --scenes 1 --out "$TMP/synth" --synth.width 64 --synth.height 48 --synth.fps 2 \
  --synth.seconds_per_turn 2 --synth.mesh_spacing 0.5 --synth.min_objects 2 --synth.max_objects 3 >/dev/null
mp4=$(find "$TMP/synth" -name '*.mp4' | head -n 1)
: > video/empty.mp4
head -c $(($(stat -c %s "$mp4") / 2)) "$mp4" > video/truncated.mp4
head -c 4096 /dev/urandom > video/random_bytes.mp4
printf 'This is a text file, not a video.\n' > video/text_file.mp4
cp "$mp4" "$TMP/v.mp4"
poke() {  # poke FILE BOX OFFSET HEX: overwrite bytes at OFFSET past the first occurrence of box type BOX
  local at
  at=$(grep -obUa "$2" "$1" | head -n 1 | cut -d: -f1)
  printf '%s' "$4" | xxd -r -p | dd of="$1" bs=1 seek=$((at + $3)) conv=notrunc status=none
}
cp "$mp4" video/huge_frame_count.mp4
poke video/huge_frame_count.mp4 stts 12 77359400   # first (sample_count, delta) entry: two billion frames
poke video/huge_frame_count.mp4 stsz 12 77359400   # sample_count
# A YUV4MPEG2 header claiming 16000 x 16000 frames (256 M pixels, 384 MB per frame): refused before any frame.
printf 'YUV4MPEG2 W16000 H16000 F2:1 Ip A1:1 C420jpeg\nFRAME\n0123456789abcdef' > video/huge_dimensions.y4m
# video/fuzz_oom_sample_table.mp4 is kept as fuzz_video found it (not regenerated): a 2.4 kB MP4 whose sample table
# made FFmpeg's mov demuxer reserve 1.1 GB.
echo "catalogue: $(find . -type f ! -name manifest.json ! -name '*.sh' | wc -l) files, $(du -sh . | cut -f1)"
