#!/usr/bin/env python3
"""facekit's face-api heads against face-api's own pipeline, face by face.

Reads the oracle's JSON (tools/oracle/faceapi_analysis.mjs: each photo through
face-api with and without .withFaceLandmarks()) and `facekit analyze --json
--detector ssd --actions age,gender,emotion` on the same images (JSON Lines on
stdin); pairs each facekit face with the oracle face whose detection box
overlaps it most (IoU >= 0.9) and prints, per face-api chain, the largest
differences of age (years), P(male) and any expression probability.

    build/facekit analyze IMAGES... --detector ssd --actions age,gender,emotion --threads 1 \\
        | scripts/faceapi_analysis_compare.py oracle.json
"""
import json
import sys

EXPRESSIONS = {"neutral": "neutral", "happy": "happy", "sad": "sad", "angry": "angry",
               "fearful": "fear", "disgusted": "disgust", "surprised": "surprise"}


def iou(a, b):
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    w = max(0.0, min(ax + aw, bx + bw) - max(ax, bx))
    h = max(0.0, min(ay + ah, by + bh) - max(ay, by))
    inter = w * h
    return inter / (aw * ah + bw * bh - inter)


def main(oracle_file):
    oracle = {img["image"]: img for img in json.load(open(oracle_file))["images"]}
    worst = {chain: {"faces": 0, "unmatched": 0, "age": 0.0, "male": 0.0, "expression": 0.0}
             for chain in ("boxes", "landmarks")}
    for line in sys.stdin:
        if not line.strip():
            continue
        result = json.loads(line)
        reference = oracle[result["image"]]
        for face in result["faces"]:
            box = [face["box"][k] for k in ("x", "y", "width", "height")]
            heads = {h["head"]: h for h in face.get("heads", [])}
            for chain, w in worst.items():
                best = max(reference[chain], key=lambda f: iou(box, f["box"]), default=None)
                if best is None or iou(box, best["box"]) < 0.9:
                    w["unmatched"] += 1
                    continue
                w["faces"] += 1
                age_gender = heads["faceapi-age-gender"]
                male = best["gender_probability"] if best["gender"] == "male" else 1 - best["gender_probability"]
                w["age"] = max(w["age"], abs(age_gender["age"]["years"] - best["age"]))
                w["male"] = max(w["male"], abs(age_gender["male_probability"] - male))
                emotion = heads["faceapi-expression"]["emotion"]
                for name, canonical in EXPRESSIONS.items():
                    w["expression"] = max(w["expression"], abs(emotion[canonical] - best["expressions"][name]))
    print("| face-api chain | faces matched | unmatched | max age difference, years | max P(male) difference "
          "| max expression difference |")
    print("|---|---:|---:|---:|---:|---:|")
    for chain, w in worst.items():
        name = ".withFaceLandmarks().withAgeAndGender()..." if chain == "landmarks" else ".withAgeAndGender()..."
        print(f"| `{name}` | {w['faces']} | {w['unmatched']} | {w['age']:.1e} | {w['male']:.1e} | {w['expression']:.1e} |")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    main(sys.argv[1])
