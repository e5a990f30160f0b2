#!/usr/bin/env bash
# Smoke test of `facekit train` (registered in CMakeLists.txt), on a folder
# it generates (6 identities × 5 grey 32 × 32 images of gratings of their
# own), so that it always runs:
#   1. `facekit train` runs facekit-train: 2 short epochs, one JSON line each,
#      checkpoints, an ONNX export;
#   2. `facekit verify --model model.onnx` compares two images with it;
#   3. without facekit-train beside it, `facekit train` is one clear error.
#   tests/cli_train_smoke.sh path/to/facekit path/to/facekit-train
set -uo pipefail
facekit=$1
trainer=$2
[ -x "$trainer" ] || { echo "SKIP: $trainer not built"; exit 77; }
[ "$(dirname "$facekit")" = "$(dirname "$trainer")" ] || { echo "FAIL: facekit-train is not beside facekit"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for id in 0 1 2 3 4 5; do
  mkdir -p "$work/data/person$id"
  for i in 0 1 2 3 4; do
    awk -v id="$id" -v i="$i" 'BEGIN {
      srand(100 * id + i); fx = 0.15 + 0.07 * id; fy = 0.3 - 0.05 * id; dx = int(rand() * 4); dy = int(rand() * 4)
      print "P2\n32 32\n255"
      for (y = 0; y < 32; ++y) { line = ""
        for (x = 0; x < 32; ++x) {
          v = 128 + 70 * sin(fx * (x + dx) + fy * (y + dy) + id) + 20 * (rand() - 0.5)
          line = line " " int(v < 0 ? 0 : (v > 255 ? 255 : v)) }
        print line } }' >"$work/data/person$id/$i.pgm"
  done
done

"$facekit" train --data "$work/data" --backbone iresnet18 --input-size 32 --embedding-dim 16 --loss arcface \
  --epochs 2 --steps-per-epoch 3 -P 3 -K 3 --val-share 0.34 --threads 2 --seed 3 \
  --checkpoints "$work/checkpoints" --out "$work/model.onnx" --json >"$work/log" 2>"$work/err"
rc=$?
cat "$work/err" "$work/log"
[ "$rc" -eq 0 ] || { echo "FAIL: facekit train exited with $rc"; exit 1; }
[ "$(grep -c '"val_auc"' "$work/log")" -eq 2 ] || { echo "FAIL: not one JSON line per epoch"; exit 1; }
grep -q "^epoch 2/2 " "$work/err" || { echo "FAIL: no progress line for epoch 2"; exit 1; }
for f in model.onnx checkpoints/last.pt checkpoints/best.pt; do
  [ -s "$work/$f" ] || { echo "FAIL: $f not written"; exit 1; }
done

out=$("$facekit" verify "$work/data/person0/0.pgm" "$work/data/person0/1.pgm" --model "$work/model.onnx" \
  --no-detect --threads 1)
echo "$out"
grep -q '"verified": ' <<<"$out" && grep -q '"model": "model"' <<<"$out" ||
  { echo "FAIL: facekit verify did not use the trained model"; exit 1; }

cp "$facekit" "$work/facekit"
"$work/facekit" train --data "$work/data" 2>"$work/err"
rc=$?
cat "$work/err"
[ "$rc" -eq 1 ] && grep -q "facekit-train: not found" "$work/err" ||
  { echo "FAIL: a missing facekit-train is not one clear error"; exit 1; }
echo "PASS"
