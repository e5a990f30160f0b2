#!/usr/bin/env bash
# Smoke test of `facekit enroll` and `facekit find` (registered in
# CMakeLists.txt) on the committed aligned crops of three face-api samples
# (tests/golden/embed, --no-detect):
#   1. enroll a folder per person (names with a quote, a space and unicode),
#      a duplicate photo and an unreadable file: each skipped with one line;
#   2. a rerun adds nothing (incremental by content hash);
#   3. find names the right person for each enrolled face's other crop size.
# Skips (exit 77) when the models are not installed.
#   tests/cli_gallery_smoke.sh path/to/facekit
set -uo pipefail
facekit=$1
golden=$(dirname "$0")/golden/embed
for id in faceapi-recognition faceapi-landmark68; do
  "$facekit" models check "$id" >/dev/null || { echo "SKIP: model $id not installed"; exit 77; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

mkdir -p "$work/people/Ann O'Brien" "$work/people/Zoë" "$work/people/Cy"
cp "$golden/sample1-150.png" "$work/people/Ann O'Brien/a.png"
cp "$golden/sample3-150.png" "$work/people/Zoë/z.png"
cp "$golden/sample5-150.png" "$work/people/Cy/c.png"
cp "$golden/sample5-150.png" "$work/people/Cy/copy.png"
echo "not a png" > "$work/people/Cy/broken.png"
opts=(--model faceapi --no-detect --threads 1)

out=$("$facekit" enroll "$work/people" --db "$work/people.db" "${opts[@]}" 2>"$work/err") || fail "enroll failed"
cat "$work/err"; echo "$out"
grep -q '"added":3' <<<"$out" || fail "three photos not added"
grep -q '"people":3' <<<"$out" || fail "three people not stored"
grep -q 'copy.png: the same photo as' "$work/err" || fail "the duplicate is not reported"
grep -q 'broken.png' "$work/err" || fail "the unreadable file is not reported"

out=$("$facekit" enroll "$work/people" --db "$work/people.db" "${opts[@]}" 2>/dev/null) || fail "rerun failed"
grep -q '"added":0' <<<"$out" || fail "the rerun added photos again: $out"

for pair in "sample1-224.png:Ann O'Brien" "sample3-224.png:Zoë" "sample5-224.png:Cy"; do
  out=$("$facekit" find "$golden/${pair%%:*}" --db "$work/people.db" "${opts[@]}") || fail "find failed"
  echo "$out"
  grep -q "\"identity\":\"${pair#*:}\",\"distance\"" <<<"$out" || fail "${pair%%:*} is not ${pair#*:}"
done
echo "PASS"
