#!/usr/bin/env python3
"""Copies the LFW View 1 calibrations of bench/lfw_thresholds' JSON into the
recognizer cards of models/manifest.json ("thresholds": {metric: {...}}, the
format include/facekit/match.h reads), keeping Yale B's beside as a second
domain.

Per (recognizer, metric), from DevTrain with the card's crop: the
best-accuracy threshold, the FAR table (1e-2, 1e-3, 1e-4, read from every
impostor pair among DevTrain's images), the logistic fit, and under
"measured" what each of those thresholds gives on DevTrain and DevTest (FAR on
every impostor pair of the set, TAR and accuracy on its listed pairs). Yale B's
calibration (bench/recognition_eval.cc), whether it was the card's main entry
until now or already under "yaleb", moves to "yaleb"; "domains" says whether
the threshold carries from one to the other (the bench's verdict).

face-api's own Euclidean threshold (0.6, FaceMatcher's default) is kept as
the threshold: it is what face-api users expect of that model and metric; its
figures are measured all the same.

  build/lfw_thresholds --cache lfw-cache --json lfw_thresholds.json
  scripts/store_thresholds.py lfw_thresholds.json [more.json ...]
"""
import json
import sys

KEEP = {("faceapi-recognition", "euclidean")}  # thresholds from the model's own project
FAR_KEYS = ["1e-2", "1e-3", "1e-4"]


def rounded(value):
    """Six significant digits: the rest is noise of the sample."""
    if isinstance(value, float):
        return float(f"{value:.6g}")
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    return value


def yaleb_of(entry):
    """The Yale B calibration of a card's metric entry, or None."""
    if "yaleb" in entry:
        return entry["yaleb"]
    if entry.get("dataset", "").startswith("Extended Yale B"):
        return {k: v for k, v in entry.items() if k in ("threshold", "far", "logistic", "pairs", "dataset")}
    return None


def lfw_entry(model_id, metric, config, result, old):
    keep = (model_id, metric) in KEEP
    measured = result["thresholds"]
    entry = {
        "threshold": old["threshold"] if keep else result["threshold"],
        "alignment": config["crop"],
        "far": {k: measured[k]["threshold"] for k in FAR_KEYS},
        "logistic": result["logistic"],
        "pairs": 2200,
        "dataset": old["dataset"] if keep else (
            f"LFW View 1 DevTrain, mtcnn, the {config['face']} face, the card's crop"
            f"{' with flip' if config['flip'] else ''}, every pair counted: best accuracy on its 2200 listed "
            f"pairs; FAR table from all {result['DevTrain']['impostor_pairs']} impostor pairs among its images "
            "(bench/lfw_thresholds.cc)"),
        "measured": {
            "threshold": (measured["card_before"] if keep else measured["best_accuracy"]),
            **{k: measured[k] for k in FAR_KEYS},
        },
        "domains": result["domains"],
    }
    for name, point in entry["measured"].items():  # the two sets of View 1 only
        entry["measured"][name] = {k: point[k] for k in ("DevTrain", "DevTest")}
    domains = entry["domains"]
    if domains.get("carries") is False:
        domains["note"] = (
            f"does not carry across domains: Yale B's threshold {domains['yaleb_threshold']:.4g} gives "
            f"{100 * domains['devtrain_accuracy_at_yaleb_threshold']:.1f} % on LFW DevTrain against "
            f"{100 * domains['devtrain_best_accuracy']:.1f} % at LFW's {domains['lfw_threshold']:.4g}")
    yaleb = yaleb_of(old)
    if yaleb:
        entry["yaleb"] = yaleb
    return rounded(entry)


def main(*results_files, manifest_file="models/manifest.json"):
    lfw = {}
    for results_file in results_files:  # one run, or several runs' recognizers
        with open(results_file) as f:
            lfw.update(json.load(f)["models"])
    with open(manifest_file) as f:
        manifest = json.load(f)
    models = {m["id"]: m for m in manifest["models"]}
    for config in lfw.values():
        if not config.get("card_crop"):
            continue  # another crop than the card's, or face-api's own pipeline: not the card's thresholds
        card = models[config["model_id"]]["card"]
        thresholds = card.setdefault("thresholds", {})
        for metric, result in config["metrics"].items():
            thresholds[metric] = lfw_entry(config["model_id"], metric, config, result, thresholds.get(metric, {}))
        card["thresholds"] = dict(sorted(thresholds.items()))
    with open(manifest_file, "w") as f:
        f.write(json.dumps(manifest, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main(*sys.argv[1:])
