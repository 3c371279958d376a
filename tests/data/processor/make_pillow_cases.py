"""Regenerates pillow_bicubic_cases.{json,bin}: Pillow BICUBIC resizes of small deterministic images, the expected
outputs of vsr's Pillow-exact resize (tests/torch/vision_resize_test.cpp). Run with Debian's python3-pil (Pillow 9.4):
    /usr/bin/python3 tests/data/processor/make_pillow_cases.py
Not used by the build or the tests; kept to document where the data came from."""
import json
import os
import random

import PIL
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
MODES = {1: "L", 3: "RGB", 4: "RGBX"}  # RGBX: 4 independent channels (RGBA would be alpha-premultiplied)


def noise(h, w, c, seed):
    rng = random.Random(seed)
    return bytes(rng.randrange(256) for _ in range(h * w * c))


def checker(h, w, c, cell):
    return bytes(255 if ((y // cell + x // cell) % 2) else 0 for y in range(h) for x in range(w) for _ in range(c))


CASES = [
    # name, in_h, in_w, channels, out_h, out_w, content
    ("down_both", 37, 53, 3, 28, 28, "noise"),
    ("up_both", 37, 53, 3, 60, 80, "noise"),
    ("width_only", 37, 53, 3, 37, 100, "noise"),
    ("height_only", 37, 53, 3, 90, 53, "noise"),
    ("strong_down", 96, 84, 3, 12, 10, "noise"),
    ("mixed_up_down", 60, 80, 3, 56, 84, "noise"),
    ("thin_strip", 6, 200, 3, 28, 56, "noise"),
    ("grey_odd", 16, 16, 1, 40, 9, "noise"),
    ("rgbx", 30, 31, 4, 56, 28, "noise"),
    ("checker_up", 20, 20, 3, 45, 50, "checker"),
    ("checker_down", 64, 64, 3, 28, 28, "checker"),
    ("identity", 28, 56, 3, 28, 56, "noise"),
]


def main():
    blob = bytearray()
    index = {"generator": "make_pillow_cases.py", "pillow": PIL.__version__, "cases": []}
    for i, (name, h, w, c, oh, ow, content) in enumerate(CASES):
        src = noise(h, w, c, 1000 + i) if content == "noise" else checker(h, w, c, 3)
        out = Image.frombytes(MODES[c], (w, h), src).resize((ow, oh), resample=Image.BICUBIC).tobytes()
        assert len(out) == oh * ow * c
        entry = {"name": name, "in_h": h, "in_w": w, "channels": c, "out_h": oh, "out_w": ow,
                 "src_offset": len(blob), "src_bytes": len(src)}
        blob += src
        entry.update({"dst_offset": len(blob), "dst_bytes": len(out)})
        blob += out
        index["cases"].append(entry)
    with open(os.path.join(HERE, "pillow_bicubic_cases.bin"), "wb") as f:
        f.write(blob)
    with open(os.path.join(HERE, "pillow_bicubic_cases.json"), "w") as f:
        json.dump(index, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
