#!/usr/bin/env bash
# Smoke test of `facekit verify` (registered in CMakeLists.txt):
#   1. two crops of face-api's sample1.jpg — the committed 150- and 224-px
#      aligned crops of its face (tests/golden/embed) — are the same person;
#   2. a faceless image is embedded whole and flagged by default, and with
#      --if-no-face refuse an error naming the file, exit code 1;
#   3. an unknown model name is one error listing the known ones;
#   4. `facekit eval` counts every pair: with --if-no-face refuse the pairs of
#      the faceless image are misses (21 of 41) and wrong (accuracy 20/41).
# Skips (exit 77) when the models are not installed.
#   tests/cli_verify_smoke.sh path/to/facekit
set -uo pipefail
facekit=$1
golden=$(dirname "$0")/golden/embed
for id in faceapi-recognition faceapi-ssd-mobilenetv1 faceapi-landmark68 mtcnn-pnet mtcnn-rnet mtcnn-onet; do
  "$facekit" models check "$id" >/dev/null || { echo "SKIP: model $id not installed"; exit 77; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

out=$("$facekit" verify "$golden/sample1-150.png" "$golden/sample1-224.png" --model faceapi --no-detect --threads 1)
echo "$out"
grep -q '"verified": true' <<<"$out" || { echo "FAIL: two crops of one face not verified"; exit 1; }

# A mid-grey 64 × 64 PPM: no face in it.
{ printf 'P6\n64 64\n255\n'; head -c $((64 * 64 * 3)) /dev/zero | tr '\0' '\200'; } >"$work/blank.ppm"
# By default verify answers with the whole image as the face, flagged and said on stderr.
out=$("$facekit" verify "$golden/sample1-150.png" "$work/blank.ppm" --model faceapi --threads 1 2>"$work/err")
rc=$?
cat "$work/err"; echo "$out"
[ "$rc" -eq 0 ] || { echo "FAIL: faceless image with the fallback gave exit code $rc, not 0"; exit 1; }
grep -q "blank.ppm: no face found, also with a padded border: the whole image is the face" "$work/err" ||
  { echo "FAIL: the fallback is not said on stderr"; exit 1; }
grep -q '"face_found": false' <<<"$out" || { echo "FAIL: the fallback is not flagged in the JSON"; exit 1; }
# --if-no-face refuse: one error naming the file and the way out.
"$facekit" verify "$golden/sample1-150.png" "$work/blank.ppm" --model faceapi --threads 1 --if-no-face refuse 2>"$work/err"
rc=$?
cat "$work/err"
[ "$rc" -eq 1 ] || { echo "FAIL: faceless image with --if-no-face refuse gave exit code $rc, not 1"; exit 1; }
grep -q "blank.ppm: no face found, also with a padded border (.*--if-no-face whole-image" "$work/err" ||
  { echo "FAIL: the error does not name the faceless file and the option"; exit 1; }
"$facekit" verify "$golden/sample1-150.png" "$golden/sample1-224.png" --model nope 2>"$work/err"
rc=$?
cat "$work/err"
[ "$rc" -eq 1 ] && grep -q "recognizer 'nope': unknown (available: " "$work/err" ||
  { echo "FAIL: an unknown model is not one clear error"; exit 1; }

cp "$golden/sample1-150.png" "$golden/sample1-224.png" "$work/"
{
  echo a,b,same
  for _ in $(seq 20); do echo sample1-150.png,sample1-224.png,1; echo sample1-150.png,blank.ppm,0; done
  echo blank.ppm,sample1-224.png,1
} >"$work/pairs.csv"
out=$("$facekit" eval --csv "$work/pairs.csv" --model faceapi --threads 1 --if-no-face refuse 2>"$work/err")
rc=$?
cat "$work/err"
[ "$rc" -eq 0 ] || { echo "FAIL: eval gave exit code $rc"; exit 1; }
grep -q "blank.ppm: no face found; its pairs count as wrong" "$work/err" ||
  { echo "FAIL: eval does not say which image's pairs count as wrong"; exit 1; }
tr -d ' \n' <<<"$out" | grep -q '"pairs":{"missed":21,"scored":20,"total":41' ||
  { echo "FAIL: eval does not count the 21 missed pairs of 41"; echo "$out"; exit 1; }
tr -d ' \n' <<<"$out" | grep -q '"best_accuracy":{"accuracy":0.4878048780487805,' ||
  { echo "FAIL: eval does not score the misses as wrong (20/41)"; echo "$out"; exit 1; }
echo "PASS"
