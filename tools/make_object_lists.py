#!/usr/bin/env python3
"""Writes "which objects are in this room?" records (vsr's generic QA format) for the toy base's pre-training.

One record per scene of a `vsr data synth` folder: the question "Which objects are in this room?", the answer the
scene's furniture categories (aggregation.json's labels without floor and wall), distinct, sorted and joined by ", ",
`answer_type` "text", task `object_list`, the scene's walkthrough video (absolute path). This is the toy's stand-in for
a VLM's captioning pre-training: every answer token is a fact about the video, so a toy learns to see the catalogue's
colours far sooner than from one-word VSI answers (README, tools/make_toy_base.sh). Deterministic, standard library only.

Usage: python3 tools/make_object_lists.py --scenes DIR [--scenes DIR2 ...] --out FILE.jsonl
       python3 tools/make_object_lists.py --score PREDICTIONS.jsonl   (vsr eval's predictions of such records)
The second form prints the mean set F1 of the predicted lists against the true ones (names split at commas; a
repeated name counts once), the measure tools/make_toy_base.sh reports.
"""
import argparse
import json
import os
import sys


def fail(path, field, expected):
    sys.exit(f"make_object_lists: {path}: {field}: expected {expected}")


def scene_records(root):
    if not os.path.isdir(root):
        fail(root, "--scenes", "a folder written by `vsr data synth`")
    names = sorted(n for n in os.listdir(root) if os.path.isdir(os.path.join(root, n)) and n != "videos")
    if not names:
        fail(root, "--scenes", "at least one scene folder (synthNNNNNN_00/)")
    for name in names:
        agg = os.path.join(root, name, f"{name}.aggregation.json")
        video = os.path.join(os.path.abspath(root), "videos", "synthetic", f"{name}.mp4")
        try:
            groups = json.load(open(agg))["segGroups"]
            labels = sorted({g["label"] for g in groups} - {"floor", "wall"})
        except (OSError, ValueError, KeyError, TypeError) as e:
            fail(agg, "segGroups[].label", f"a ScanNet aggregation file ({e})")
        if not labels:
            fail(agg, "segGroups", "at least one furniture object")
        if not os.path.isfile(video):
            fail(video, "video", "the scene's walkthrough video")
        tag = os.path.basename(os.path.normpath(root))
        yield {"id": f"{tag}-{name}-objects", "task": "object_list", "scene_name": f"{tag}/{name}",
               "question": "Which objects are in this room?", "answer": ", ".join(labels), "answer_type": "text",
               "video": video}


def names(text):
    return {n.strip() for n in text.split(",") if n.strip()}


def set_f1(truth, predicted):
    t, p = names(truth), names(predicted)
    both = len(t & p)
    return 0.0 if both == 0 else 2.0 * both / (len(t) + len(p))


def score(path):
    f1, i = [], 0
    try:
        with open(path, "rb") as f:
            for line in f:
                i += 1
                r = json.loads(line.decode("utf-8"))
                f1.append(set_f1(r["ground_truth"], r["prediction"]))
    except OSError as e:
        fail(path, "--score", f"a readable predictions file ({e.strerror})")
    except (ValueError, KeyError, TypeError, AttributeError):
        fail(path, f"line {i}", "a vsr eval prediction with ground_truth and prediction strings")
    if not f1:
        fail(path, "--score", "at least one prediction")
    print(f"object-list F1 {sum(f1) / len(f1):.3f} over {len(f1)} rooms ({path})")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenes", action="append", help="a `vsr data synth` output folder (repeatable)")
    ap.add_argument("--out", help="output JSON lines file")
    ap.add_argument("--score", help="print the mean set F1 of a vsr eval predictions file instead")
    args = ap.parse_args()
    if args.score:
        return score(args.score)
    if not args.scenes or not args.out:
        ap.error("--scenes and --out are required (or --score)")
    records = [r for root in args.scenes for r in scene_records(root)]
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        for r in records:
            f.write(json.dumps(r) + "\n")
    os.replace(tmp, args.out)
    print(f"wrote {len(records)} object-list records to {args.out}")


if __name__ == "__main__":
    main()
