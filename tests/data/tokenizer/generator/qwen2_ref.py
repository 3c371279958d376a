# Faithful re-statement of transformers 4.45.1 slow Qwen2Tokenizer (tokenize + decode) for ad-hoc checks.
import json, unicodedata, regex as re
PAT = r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(2**8):
        if b not in bs:
            bs.append(b); cs.append(2**8 + n); n += 1
    return dict(zip(bs, [chr(n) for n in cs]))
def get_pairs(word):
    return {(word[i], word[i+1]) for i in range(len(word)-1)}
class Ref:
    def __init__(self, d):
        self.encoder = json.load(open(d + "/vocab.json", encoding="utf-8"))
        self.decoder = {v: k for k, v in self.encoder.items()}
        merges = []
        for i, line in enumerate(open(d + "/merges.txt", encoding="utf-8")):
            line = line.strip()
            if (i == 0 and line.startswith("#version:")) or not line: continue
            merges.append(tuple(line.split()))
        self.ranks = dict(zip(merges, range(len(merges))))
        cfg = json.load(open(d + "/tokenizer_config.json", encoding="utf-8"))
        self.added = {v["content"]: int(k) for k, v in cfg["added_tokens_decoder"].items()}
        self.added_dec = {int(k): v["content"] for k, v in cfg["added_tokens_decoder"].items()}
        self.be = bytes_to_unicode(); self.bd = {v: k for k, v in self.be.items()}
        self.pat = re.compile(PAT); self.cache = {}
    def bpe(self, token):
        if token in self.cache: return self.cache[token]
        word = tuple(token); pairs = get_pairs(word)
        if not pairs: return token
        while True:
            bigram = min(pairs, key=lambda p: self.ranks.get(p, float("inf")))
            if bigram not in self.ranks: break
            first, second = bigram; new_word = []; i = 0
            while i < len(word):
                try: j = word.index(first, i)
                except ValueError: new_word.extend(word[i:]); break
                else: new_word.extend(word[i:j]); i = j
                if word[i] == first and i < len(word) - 1 and word[i+1] == second:
                    new_word.append(first + second); i += 2
                else: new_word.append(word[i]); i += 1
            word = tuple(new_word)
            if len(word) == 1: break
            pairs = get_pairs(word)
        word = " ".join(word); self.cache[token] = word; return word
    def split_added(self, text):
        # leftmost-longest (transformers Trie.split)
        out = []; i = 0; start = 0; toks = sorted(self.added, key=len, reverse=True)
        while i < len(text):
            m = next((t for t in toks if text.startswith(t, i)), None)
            if m:
                if start < i: out.append(text[start:i])
                out.append(m); i += len(m); start = i
            else: i += 1
        if start < len(text): out.append(text[start:])
        return out
    def tokenize(self, text):
        text = unicodedata.normalize("NFC", text)
        toks = []
        for seg in self.split_added(text):
            if seg in self.added: toks.append(seg); continue
            for t in re.findall(self.pat, seg):
                t = "".join(self.be[b] for b in t.encode("utf-8"))
                toks.extend(self.bpe(t).split(" "))
        return toks
    def encode(self, text):
        return [self.encoder[t] if t in self.encoder else self.added[t] for t in self.tokenize(text)]
    def decode(self, ids, skip_special=False):
        subs = []; cur = []
        def flush():
            if cur:
                s = bytearray([self.bd[c] for c in "".join(cur)]).decode("utf-8", errors="replace")
                if s: subs.append(s)
                cur.clear()
        for i in ids:
            if i in self.added_dec:
                if skip_special: continue
                if i >= len(self.encoder):
                    flush(); subs.append(self.added_dec[i]); continue
            cur.append(self.decoder.get(i) or self.added_dec[i])
        flush()
        return "".join(subs)
