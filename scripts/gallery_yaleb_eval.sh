#!/usr/bin/env bash
# One-shot open-set identification on Extended Yale B (../shared/data/yaleb),
# through `facekit enroll` and `facekit find`: subjects 1–ENROLLED are
# enrolled from their frontal-lit image (A+000E+00); every STEP-th other image
# of subjects 1–10 is a query (the subjects not enrolled are strangers). Prints
# rank-1 accuracy (queries of enrolled people), the detection-and-
# identification rate at the model's calibrated threshold with the strangers
# it accepts, and the DIR at FAR 0 and 1e-2: the threshold is set so that at
# most that share of strangers is accepted (their nearest distance is below
# it), and DIR is the share of enrolled people's queries that are both ranked
# first correctly and accepted.
#   [ENROLLED=5] scripts/gallery_yaleb_eval.sh [STEP=1] [extra facekit options, e.g. --model faceapi]
set -euo pipefail
step=${1:-1}; shift || true
enrolled=${ENROLLED:-5}
facekit=${FACEKIT:-build/facekit}
data=${YALEB:-../shared/data/yaleb}
[ -d "$data" ] || { echo "no Yale B data at $data: skipped"; exit 0; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
for s in $(seq -f %02g 1 "$enrolled"); do
  mkdir -p "$work/gallery/yaleB$s"
  ln -s "$(realpath "$data/yaleB$s/yaleB${s}_P00A+000E+00.pgm")" "$work/gallery/yaleB$s/"
done
for s in $(seq -f %02g 1 10); do
  printf '%s\n' "$data/yaleB$s"/*.pgm | grep -v -e 'A+000E+00.pgm' -e Ambient |
    awk -v step="$step" 'NR % step == 1 || step == 1'
done > "$work/queries.txt"
"$facekit" enroll "$work/gallery" --db "$work/yb.db" --no-detect "$@" >/dev/null
# shellcheck disable=SC2046
"$facekit" find $(cat "$work/queries.txt") --db "$work/yb.db" --no-detect -k 2 "$@" > "$work/results.jsonl"
python3 - "$work/results.jsonl" "$enrolled" <<'PY'
import json, math, re, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
last_enrolled = f"yaleB{int(sys.argv[2]):02d}"
known, strangers = [], []
for r in rows:
    subject = re.search(r'(yaleB\d\d)_', r['image']).group(1)
    (known if subject <= last_enrolled else strangers).append((subject, r['faces'][0]))
print(f"model {rows[0]['model']}, {rows[0]['metric']} threshold {rows[0]['threshold']:.4f}; "
      f"{len(known)} queries of enrolled people, {len(strangers)} of strangers")
print(f"rank-1: {sum(f['candidates'][0]['identity'] == s for s, f in known) / len(known):.3f}")
print(f"identified at the calibrated threshold: {sum(f['identity'] == s for s, f in known) / len(known):.3f}, "
      f"strangers accepted: {sum(f['identity'] is not None for _, f in strangers)}")
nearest = sorted(f['distance'] for _, f in strangers)
for far in (0, 1e-2):
    if far * len(nearest) < 1 and far > 0:  # as eval.h's tar_at_far: not told apart from FAR 0
        print(f"DIR at FAR {far:g}: not measurable with {len(nearest)} strangers")
        continue
    # Accepting below the (n+1)-th nearest stranger accepts at most n of them.
    allowed = math.floor(far * len(nearest) + 1e-9)
    t = nearest[allowed] if allowed < len(nearest) else math.inf
    accepted = sum(d < t for d in nearest)
    rate = sum(f['candidates'][0]['identity'] == s and f['distance'] < t for s, f in known) / len(known)
    print(f"DIR at FAR {far:g}: {rate:.3f} (threshold {t:.4f}, {accepted} of {len(nearest)} strangers accepted)")
PY
