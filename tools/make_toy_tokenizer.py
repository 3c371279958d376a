#!/usr/bin/env python3
"""Writes a small-vocabulary Qwen2 tokenizer for vsr's toy models (the quickstart's base).

The Qwen2 byte-level BPE cut to its first N merges: the 256 byte tokens, the tokens those N merges make, then
Qwen2's added (special) tokens, renumbered densely in that order. Cutting a BPE merge list keeps a valid BPE (every
kept merge joins tokens made by earlier kept merges), so the result is an ordinary `vocab.json` + `merges.txt` +
`tokenizer_config.json` folder that vsr (and transformers' Qwen2Tokenizer) load like the real one. Deterministic:
the same input folder and N give the same bytes. Standard library only.

Usage: python3 tools/make_toy_tokenizer.py --source tests/data/qwen2vl-tiny/tokenizer --merges 2000 \
           --out configs/toy_model/tokenizer
Prints the new ids of the special tokens (the toy model's config.json must use them).
"""
import argparse
import json
import os
import sys


def fail(path, field, expected):
    sys.exit(f"make_toy_tokenizer: {path}: {field}: expected {expected}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", required=True, help="a Qwen2 tokenizer folder (vocab.json, merges.txt, tokenizer_config.json)")
    ap.add_argument("--merges", type=int, required=True, help="how many of the first merges to keep")
    ap.add_argument("--out", required=True, help="output folder")
    args = ap.parse_args()
    src = args.source
    with open(os.path.join(src, "vocab.json"), encoding="utf-8") as f:
        vocab = json.load(f)
    with open(os.path.join(src, "merges.txt"), encoding="utf-8") as f:
        lines = [l.rstrip("\n") for l in f]
    with open(os.path.join(src, "tokenizer_config.json"), encoding="utf-8") as f:
        tok_config = json.load(f)
    merges = [l for l in lines if l and not l.startswith("#version")]
    if args.merges < 0 or args.merges > len(merges):
        fail(os.path.join(src, "merges.txt"), "--merges", f"a count between 0 and {len(merges)}")

    by_id = sorted(vocab.items(), key=lambda kv: kv[1])
    byte_tokens = [t for t, i in by_id if i < 256]
    if len(byte_tokens) != 256 or any(len(t) != 1 for t in byte_tokens):
        fail(os.path.join(src, "vocab.json"), "ids 0-255", "the 256 byte-level tokens")
    kept = set(byte_tokens)
    kept_merges = []
    for rank, line in enumerate(merges[: args.merges]):
        left, right = line.split(" ")
        if left not in kept or right not in kept:
            fail(os.path.join(src, "merges.txt"), f"merge {rank}", "operands made by earlier merges")
        if left + right not in vocab:
            fail(os.path.join(src, "vocab.json"), left + right, "the token of a merge")
        kept.add(left + right)
        kept_merges.append(line)
    tokens = sorted(kept, key=lambda t: vocab[t])
    new_vocab = {t: i for i, t in enumerate(tokens)}

    added = sorted(tok_config.get("added_tokens_decoder", {}).items(), key=lambda kv: int(kv[0]))
    new_added = {}
    for k, (_, entry) in enumerate(added):
        new_added[str(len(new_vocab) + k)] = entry
    out_config = dict(tok_config)
    out_config["added_tokens_decoder"] = new_added

    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(new_vocab, f, ensure_ascii=False, separators=(",", ":"))
    with open(os.path.join(args.out, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n")
        for line in kept_merges:
            f.write(line + "\n")
    with open(os.path.join(args.out, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(out_config, f, ensure_ascii=False, indent=2)
        f.write("\n")
    ids = {e["content"]: int(i) for i, e in new_added.items()}
    print(json.dumps({"base_vocab": len(new_vocab), "vocab_with_added": len(new_vocab) + len(new_added),
                      "special_ids": ids}, indent=1))


if __name__ == "__main__":
    main()
