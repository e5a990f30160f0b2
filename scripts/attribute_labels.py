#!/usr/bin/env python3
"""Labels CSVs for `facekit eval --attributes` (docs/analysis.md), from the
datasets' own layouts, and the development split of a labels CSV.

    scripts/attribute_labels.py utkface DIR > labels.csv
        UTKFace images named AGE_GENDER_RACE_DATE.jpg (also *.jpg.chip.jpg):
        gender 0 male, 1 female; race 0 white, 1 black, 2 asian, 3 indian,
        4 other. Files whose names do not parse are listed on stderr and left out.
    scripts/attribute_labels.py fer2013 DIR > labels.csv
        FER2013 as image folders DIR/<emotion>/*.jpg|png (angry, disgust,
        fear, happy, sad, surprise, neutral); other folders are left out.
    scripts/attribute_labels.py split LABELS (dev|train) > part.csv
        The development split: every fifth row (rows 5, 10, 15, ... after
        the header); train is the rest. For ../shared/data/attributes, whose
        rows are the files 00001.jpg, 00002.jpg, ... in order, dev is the files
        whose number is a multiple of 5: UTKFace 1000 faces (200 per race),
        FER2013 1379 (220 per emotion, 59 disgust).

`file` is relative to DIR (pass DIR as `--root`). Rows are sorted by file name.
Only Python's standard library is used.
"""
import csv
import os
import re
import sys

UTK_GENDERS = ["male", "female"]
UTK_RACES = ["white", "black", "asian", "indian", "other"]
EMOTIONS = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]
DEV_EVERY = 5
IMAGE = re.compile(r"\.(jpe?g|png)$", re.IGNORECASE)


def utkface(folder, out):
    name = re.compile(r"^(\d+)_([01])_([0-4])_\d+\.jpg(\.chip\.jpg)?$")
    out.writerow(["file", "age", "gender", "race"])
    for root, _, files in sorted(os.walk(folder)):
        for f in sorted(files):
            if not IMAGE.search(f):
                continue
            m = name.match(f)
            if not m:
                print(f"{os.path.join(root, f)}: not AGE_GENDER_RACE_DATE.jpg, left out", file=sys.stderr)
                continue
            path = os.path.relpath(os.path.join(root, f), folder)
            out.writerow([path, int(m.group(1)), UTK_GENDERS[int(m.group(2))], UTK_RACES[int(m.group(3))]])


def fer2013(folder, out):
    out.writerow(["file", "emotion"])
    for emotion in sorted(os.listdir(folder)):
        if emotion.lower() not in EMOTIONS or not os.path.isdir(os.path.join(folder, emotion)):
            print(f"{os.path.join(folder, emotion)}: not an emotion folder, left out", file=sys.stderr)
            continue
        for f in sorted(os.listdir(os.path.join(folder, emotion))):
            if IMAGE.search(f):
                out.writerow([os.path.join(emotion, f), emotion.lower()])


def split(labels, part, out):
    with open(labels, newline="") as f:
        rows = list(csv.reader(f))
    out.writerow(rows[0])
    for number, row in enumerate(rows[1:], start=1):
        if (number % DEV_EVERY == 0) == (part == "dev"):
            out.writerow(row)


def main(argv):
    out = csv.writer(sys.stdout, lineterminator="\n")
    if len(argv) == 3 and argv[1] == "utkface":
        utkface(argv[2], out)
    elif len(argv) == 3 and argv[1] == "fer2013":
        fer2013(argv[2], out)
    elif len(argv) == 4 and argv[1] == "split" and argv[3] in ("dev", "train"):
        split(argv[2], argv[3], out)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
