#!/usr/bin/env python3
"""Copies the Yale B calibrations of bench/recognition_eval's JSON into the
recognizer cards of models/manifest.json ("thresholds": {metric: {...}}, the
format include/facekit/match.h reads).

face-api's own Euclidean threshold (0.6, FaceMatcher's default) is kept: it
is what face-api users expect of that model and metric.

  build/recognition_eval --data ../shared/data --json recognition_eval.json
  scripts/store_thresholds.py recognition_eval.json
"""
import json
import sys

KEEP = {("faceapi-recognition", "euclidean")}  # thresholds from the model's own project


def rounded(value):
    """Six significant digits: the rest is noise of the sample."""
    if isinstance(value, float):
        return float(f"{value:.6g}")
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    return value


def main(results_file, manifest_file="models/manifest.json"):
    with open(results_file) as f:
        yaleb = json.load(f)["yaleb"]
    with open(manifest_file) as f:
        manifest = json.load(f)
    models = {m["id"]: m for m in manifest["models"]}
    for recognizer, per_metric in yaleb.items():
        card = models[per_metric["model_id"]]["card"]
        thresholds = card.setdefault("thresholds", {})
        for metric, result in per_metric.items():
            if metric == "model_id" or (per_metric["model_id"], metric) in KEEP:
                continue
            thresholds[metric] = rounded(result["calibration"])
        card["thresholds"] = dict(sorted(thresholds.items()))
    with open(manifest_file, "w") as f:
        f.write(json.dumps(manifest, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main(*sys.argv[1:])
