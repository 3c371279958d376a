# Writes the hard tokenizer cases (see ../README.md). Run from tests/data/tokenizer with node's package in /tmp/tokjs.
import json, os, sys, subprocess
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from qwen2_ref import Ref
from cases import texts, invalid
r = Ref(os.path.join(HERE, "..", "..", "qwen2vl-tiny", "tokenizer"))
node_in = texts + [b.decode("utf-8", errors="replace") for b in invalid]
json.dump(node_in, open("/tmp/tokjs/h.json", "w"))
subprocess.run(["node", "gen.mjs", "h.json", "hout.json"], cwd="/tmp/tokjs", check=True)
node = [o["ids"] for o in json.load(open("/tmp/tokjs/hout.json"))]
out = []
for i, t in enumerate(node_in):
    ids = r.encode(t)
    case = {}
    if i < len(texts): case["text"] = t
    else: case["bytes_hex"] = invalid[i - len(texts)].hex()
    case["ids"] = ids
    case["decoded"] = r.decode(ids)
    case["decoded_skip_special"] = r.decode(ids, True)
    if node[i] != ids:
        case["node_ids"] = node[i]
        print("DIFF", repr(t), "\n  py  ", ids, "\n  node", node[i])
    out.append(case)
print(len(out), "cases")
json.dump(out, open(sys.argv[1], "w"), ensure_ascii=False, indent=0)
# Decode cases: byte tokens that split UTF-8 sequences, special tokens between them.
def bid(b): return r.encoder[r.be[b]]
E4, BD, A0, F0, F9 = bid(0xE4), bid(0xBD), bid(0xA0), bid(0xF0), bid(0x9F)
H = r.encoder["Hello"]
seqs = [
    [E4, BD],
    [E4, BD, A0],
    [E4, BD, 151645, A0],
    [E4, 151643, BD, A0],
    [H, E4, F0, F9, H],
    [151644, 872, 198, E4, BD, A0, 151645],
    [F0, F9],
    [A0, A0, H],
]
dec = [{"ids": s, "decoded": r.decode(s), "decoded_skip_special": r.decode(s, True)} for s in seqs]
for d in dec: print(d)
json.dump({"encode": out, "decode": dec}, open(sys.argv[1], "w"), ensure_ascii=False, indent=0)
