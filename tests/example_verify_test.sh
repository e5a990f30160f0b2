#!/usr/bin/env bash
# Runs examples/verify.cc (registered in CMakeLists.txt) as the README shows
# it: a photo against itself is the same person (exit 0,
# "verified": true); a missing file is one error naming it (exit 1).
# Skips (exit 77) when face-api's sample photos or the default models are not installed.
#   tests/example_verify_test.sh path/to/example_verify path/to/facekit
set -uo pipefail
example=$1
facekit=$2
for id in faceapi-samples mobilefacenet-tflite mtcnn-pnet mtcnn-rnet mtcnn-onet faceapi-landmark68; do
  "$facekit" models check "$id" >/dev/null || { echo "SKIP: model $id not installed"; exit 77; }
done
samples=${FACEKIT_MODELS:-$HOME/.cache/facekit}/faceapi-samples
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

out=$("$example" "$samples/sample2.jpg" "$samples/sample2.jpg")
rc=$?
echo "$out"
[ "$rc" -eq 0 ] || fail "a photo against itself gave exit code $rc, not 0"
grep -q '"verified": true' <<<"$out" || fail "a photo against itself is not verified"

"$example" "$samples/sample2.jpg" "$work/missing.jpg" 2>"$work/err"
rc=$?
cat "$work/err"
[ "$rc" -eq 1 ] || fail "a missing image gave exit code $rc, not 1"
grep -q "missing.jpg" "$work/err" || fail "the error does not name the missing image"
echo PASS
