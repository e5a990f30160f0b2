#!/usr/bin/env bash
# Smoke test of `facekit eval --attributes` (registered in CMakeLists.txt):
#   1. the committed face crops (tests/golden/analyze), a faceless grey image
#      and a file that does not exist: with --no-detect 5 of 6 faces are
#      analysed and the missing file is one miss, named on stderr; with the
#      detector the faceless image is a miss too; the JSON carries every head
#      that estimated each attribute, and the reliability diagram is written;
#   2. a bad labels file is one error naming file:line; --attributes with a
#      pair source is refused; saved `analyze --json` lines (--analyses) give
#      the same report, --fit-combination writes a combination with its recipe;
#   3. with ../shared/data/attributes: 10 UTKFace and 10 FER2013 faces of the
#      development split (scripts/attribute_labels.py), every one analysed
#      with --no-detect, every attribute scored (skipped without the data).
# The labels of the crops are only for counting, not for accuracy.
# Skips (exit 77) when the models are not installed.
#   tests/cli_attributes_smoke.sh path/to/facekit
set -uo pipefail
facekit=$1
here=$(cd "$(dirname "$0")" && pwd)
for id in faceapi-age-gender faceapi-expression human-gear human-emotion human-faceres faceapi-ssd-mobilenetv1; do
  "$facekit" models check "$id" >/dev/null || { echo "SKIP: model $id not installed"; exit 77; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

cp "$here"/golden/analyze/crop-*.png "$work/"
{ printf 'P6\n64 64\n255\n'; head -c $((64 * 64 * 3)) /dev/zero | tr '\0' '\200'; } >"$work/blank.ppm"
cat >"$work/labels.csv" <<'CSV'
file,age,gender,race,emotion
crop-1.png,30,female,white,happy
crop-1-narrow.png,30,female,white,happy
crop-2.png,40,male,black,neutral
crop-3.png,,female,,
blank.ppm,20,male,asian,sad
absent.jpg,50,female,indian,angry
CSV
out=$("$facekit" eval --attributes "$work/labels.csv" --no-detect --threads 1 --json "$work/report.json" \
  --reliability "$work/reliability.png" 2>"$work/err")
rc=$?
cat "$work/err"
[ "$rc" -eq 0 ] || fail "eval --attributes gave exit code $rc"
grep -q "absent.jpg.*; counted as a miss" "$work/err" || fail "the missing file is not named on stderr"
flat=$(tr -d ' \n' <<<"$out")
grep -q '"faces":{"total":6,"found":5,"missed":1}' <<<"$flat" || fail "not 5 of 6 faces analysed with --no-detect"
for head in faceapi-age-gender human-faceres human-gear faceapi-expression human-emotion; do
  grep -q "\"source\":\"$head\"" <<<"$flat" || fail "no scores for head $head"
done
grep -q '"gender":{"labelled":6' <<<"$flat" || fail "gender is not labelled on 6 faces"
grep -q '"age":{"labelled":5' <<<"$flat" || fail "age is not labelled on 5 faces"
cmp -s <(tr -d ' \n' <"$work/report.json") <(echo -n "$flat") || fail "--json differs from stdout"
[ "$(head -c 4 "$work/reliability.png" | tail -c 3)" = "PNG" ] || fail "no reliability PNG"

out=$("$facekit" eval --attributes "$work/labels.csv" --threads 1 --text 2>"$work/err")
rc=$?
echo "$out"
[ "$rc" -eq 0 ] || fail "eval --attributes with the detector gave exit code $rc"
grep -q "blank.ppm: no face found; counted as a miss" "$work/err" || fail "the faceless image is not a miss"
grep -q "^6 labelled faces" <<<"$out" || fail "the text report does not count the faces"

printf 'file,age\ncrop-1.png,abc\n' >"$work/bad.csv"
"$facekit" eval --attributes "$work/bad.csv" 2>"$work/err"
rc=$?
cat "$work/err"
[ "$rc" -eq 1 ] && grep -q "bad.csv:2: the age 'abc' is not a whole number of years" "$work/err" ||
  fail "a bad age is not one error naming file and line"
"$facekit" eval --attributes "$work/labels.csv" --csv "$work/labels.csv" >/dev/null 2>"$work/err"
[ $? -ne 0 ] && grep -qi "excludes" "$work/err" || fail "--attributes with --csv is not refused"

# Saved analyses: the same report as running the heads; a fit on them writes a
# combination (too few faces to fit: the shipped one, with the recipe); a line
# that is not analyze's JSON is one error naming file:line.
"$facekit" analyze "$work"/crop-1.png "$work"/crop-1-narrow.png "$work"/crop-2.png "$work"/crop-3.png "$work"/blank.ppm \
  --no-detect --actions age,gender,emotion,race --json --threads 1 >"$work/analyses.jsonl" ||
  fail "analyze --json for the saved analyses"
saved=$("$facekit" eval --attributes "$work/labels.csv" --no-detect --analyses "$work/analyses.jsonl" \
  --fit-combination "$work/fitted.json" 2>"$work/err")
[ $? -eq 0 ] || { cat "$work/err"; fail "eval --analyses --fit-combination"; }
# Found faces and confusion counts (the saved views carry four decimals, so not every last digit agrees).
same() { jq -c '[.faces, (.attributes[].sources[] | [.source, .overall.found, .overall.confusion.counts])]' <<<"$1"; }
[ "$(same "$saved")" = "$(same "$(cat "$work/report.json")")" ] || fail "--analyses does not give the report running the heads gives"
jq -e '.recipe | contains("--fit-combination")' "$work/fitted.json" >/dev/null || fail "the fitted combination has no recipe"
echo 'not json' >>"$work/analyses.jsonl"
"$facekit" eval --attributes "$work/labels.csv" --no-detect --analyses "$work/analyses.jsonl" >/dev/null 2>"$work/err"
[ $? -eq 1 ] && grep -q "analyses.jsonl:6: not a JSON line" "$work/err" || fail "a bad analyses line is not one error naming it"

data="$here/../../shared/data/attributes"
if [ ! -f "$data/utkface/labels.csv" ] || [ ! -f "$data/fer2013/labels.csv" ]; then
  echo "part 3 skipped: ../shared/data/attributes not found"
  echo PASS
  exit 0
fi
split() { "$here/../scripts/attribute_labels.py" split "$data/$1/labels.csv" dev; }
{
  echo file,age,gender,race,emotion
  split utkface | awk 'NR > 1 && NR <= 11 { print "utkface/images/" $0 "," }'
  split fer2013 | awk -F, 'NR > 1 && NR <= 11 { print "fer2013/images/" $1 ",,,," $2 }'
} >"$work/mixed.csv"
out=$("$facekit" eval --attributes "$work/mixed.csv" --root "$data" --no-detect --threads 1 --text 2>&1)
rc=$?
echo "$out"
[ "$rc" -eq 0 ] || fail "eval on the shared data gave exit code $rc"
grep -q "^20 labelled faces, 20 analysed" <<<"$out" || fail "not every shared face analysed"
for attribute in "age (10 labelled)" "gender (10 labelled)" "race (10 labelled)" "emotion (10 labelled)"; do
  grep -qF "$attribute" <<<"$out" || fail "no $attribute"
done
echo PASS
