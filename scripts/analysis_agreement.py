#!/usr/bin/env python3
"""Agreement between attribute heads that estimate the same attribute, from
`facekit analyze --json` output (JSON Lines on stdin). Prints Markdown tables:
per pair of heads, over the faces both analysed, the mean absolute age
difference, how often they give the same gender, the same top emotion, and
the mean total-variation distance between their emotion distributions.

    build/facekit analyze IMAGES... --json | scripts/analysis_agreement.py
"""
import itertools
import json
import statistics
import sys

EMOTIONS = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]


def faces(lines):
    for line in lines:
        line = line.strip()
        if line:
            for face in json.loads(line)["faces"]:
                if "refused" not in face:
                    yield face


def by_head(face):
    return {h["head"]: h for h in face["heads"]}


def pair_rows(all_faces, key):
    """(head a, head b, [(view a, view b) per face]) for heads that give `key`."""
    pairs = {}
    for face in all_faces:
        views = {name: h[key] for name, h in by_head(face).items() if key in h}
        for a, b in itertools.combinations(sorted(views), 2):
            pairs.setdefault((a, b), []).append((views[a], views[b]))
    return sorted(pairs.items())


def main():
    all_faces = list(faces(sys.stdin))
    print(f"Faces analysed: {len(all_faces)}\n")
    print("| heads | faces | mean abs age difference, years |")
    print("|---|---:|---:|")
    for (a, b), views in pair_rows(all_faces, "age"):
        diff = statistics.mean(abs(x["years"] - y["years"]) for x, y in views)
        print(f"| {a} vs {b} | {len(views)} | {diff:.1f} |")
    print("\n| heads | faces | same gender | mean abs P(male) difference |")
    print("|---|---:|---:|---:|")
    for (a, b), views in pair_rows(all_faces, "male_probability"):
        same = sum((x >= 0.5) == (y >= 0.5) for x, y in views) / len(views)
        diff = statistics.mean(abs(x - y) for x, y in views)
        print(f"| {a} vs {b} | {len(views)} | {100 * same:.0f}% | {diff:.2f} |")
    print("\n| heads | faces | same top emotion | mean total-variation distance |")
    print("|---|---:|---:|---:|")
    for (a, b), views in pair_rows(all_faces, "emotion"):
        top = lambda e: max(EMOTIONS, key=lambda k: e[k])
        same = sum(top(x) == top(y) for x, y in views) / len(views)
        tv = statistics.mean(sum(abs(x[k] - y[k]) for k in EMOTIONS) / 2 for x, y in views)
        print(f"| {a} vs {b} | {len(views)} | {100 * same:.0f}% | {tv:.2f} |")
    print("\n| attribute | mean agreement | faces |")
    print("|---|---:|---:|")
    for attribute in ["age", "gender", "emotion", "spoof"]:
        values = [f["agreement"][attribute] for f in all_faces if attribute in f["agreement"]]
        if values:
            print(f"| {attribute} | {statistics.mean(values):.2f} | {len(values)} |")
    confidences = [f["confidence"] for f in all_faces]
    if confidences:
        print(f"\nMean confidence {statistics.mean(confidences):.2f} "
              f"(min {min(confidences):.2f}, max {max(confidences):.2f}).")


if __name__ == "__main__":
    main()
