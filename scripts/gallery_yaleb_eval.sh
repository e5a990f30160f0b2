#!/usr/bin/env bash
# One-shot identification on Extended Yale B (../shared/data/yaleb): subjects
# 1–8 enrolled from their frontal-lit image (A+000E+00), queries every STEP-th
# other image of subjects 1–10 (9 and 10 are strangers: open set). Prints
# rank-1 accuracy, the detection-and-identification rate at the model's
# calibrated threshold, false accepts of strangers, and the identification
# rate at the threshold that accepts no stranger.
#   scripts/gallery_yaleb_eval.sh [STEP=6] [extra facekit options, e.g. --model faceapi]
set -euo pipefail
step=${1:-6}; shift || true
facekit=${FACEKIT:-build/facekit}
data=${YALEB:-../shared/data/yaleb}
[ -d "$data" ] || { echo "no Yale B data at $data: skipped"; exit 0; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
for s in 01 02 03 04 05 06 07 08; do
  mkdir -p "$work/gallery/yaleB$s"
  ln -s "$(realpath "$data/yaleB$s/yaleB${s}_P00A+000E+00.pgm")" "$work/gallery/yaleB$s/"
done
for s in 01 02 03 04 05 06 07 08 09 10; do
  ls "$data"/yaleB$s/*.pgm | grep -v -e 'A+000E+00.pgm' -e Ambient | awk -v step="$step" 'NR % step == 1'
done > "$work/queries.txt"
"$facekit" enroll "$work/gallery" --db "$work/yb.db" --no-detect "$@" >/dev/null
# shellcheck disable=SC2046
"$facekit" find $(cat "$work/queries.txt") --db "$work/yb.db" --no-detect -k 2 "$@" > "$work/results.jsonl"
python3 - "$work/results.jsonl" <<'PY'
import json, re, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
known, strangers = [], []
for r in rows:
    subject = re.search(r'(yaleB\d\d)_', r['image']).group(1)
    (known if subject <= 'yaleB08' else strangers).append((subject, r['faces'][0]))
print(f"model {rows[0]['model']}, {rows[0]['metric']} threshold {rows[0]['threshold']:.4f}")
print(f"rank-1: {sum(f['candidates'][0]['identity'] == s for s, f in known) / len(known):.3f} of {len(known)} queries")
print(f"identified at the threshold: {sum(f['identity'] == s for s, f in known) / len(known):.3f}")
print(f"strangers accepted: {sum(f['identity'] is not None for _, f in strangers)} of {len(strangers)}")
t = min(f['distance'] for _, f in strangers)
rate = sum(f['candidates'][0]['identity'] == s and f['distance'] < t for s, f in known) / len(known)
print(f"identified below the nearest stranger's distance ({t:.4f}, no stranger accepted): {rate:.3f}")
PY
