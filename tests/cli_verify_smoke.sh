#!/usr/bin/env bash
# Smoke test of `facekit verify` (registered in CMakeLists.txt):
#   1. two crops of face-api's sample1.jpg — the committed 150- and 224-px
#      aligned crops of its face (tests/golden/embed) — are the same person;
#   2. a faceless image is an error naming the file, exit code 1;
#   3. an unknown model name is one error listing the known ones.
# Skips (exit 77) when the models are not installed.
#   tests/cli_verify_smoke.sh path/to/facekit
set -uo pipefail
facekit=$1
golden=$(dirname "$0")/golden/embed
for id in faceapi-recognition faceapi-ssd-mobilenetv1 faceapi-landmark68; do
  "$facekit" models check "$id" >/dev/null || { echo "SKIP: model $id not installed"; exit 77; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

out=$("$facekit" verify "$golden/sample1-150.png" "$golden/sample1-224.png" --model faceapi --no-detect --threads 1)
echo "$out"
grep -q '"verified": true' <<<"$out" || { echo "FAIL: two crops of one face not verified"; exit 1; }

# A mid-grey 64 × 64 PPM: no face in it.
{ printf 'P6\n64 64\n255\n'; head -c $((64 * 64 * 3)) /dev/zero | tr '\0' '\200'; } >"$work/blank.ppm"
"$facekit" verify "$golden/sample1-150.png" "$work/blank.ppm" --model faceapi --threads 1 2>"$work/err"
rc=$?
cat "$work/err"
[ "$rc" -eq 1 ] || { echo "FAIL: faceless image gave exit code $rc, not 1"; exit 1; }
grep -q "blank.ppm: no face found" "$work/err" || { echo "FAIL: the error does not name the faceless file"; exit 1; }
"$facekit" verify "$golden/sample1-150.png" "$golden/sample1-224.png" --model nope 2>"$work/err"
rc=$?
cat "$work/err"
[ "$rc" -eq 1 ] && grep -q "recognizer 'nope': unknown (available: " "$work/err" ||
  { echo "FAIL: an unknown model is not one clear error"; exit 1; }
echo "PASS"
