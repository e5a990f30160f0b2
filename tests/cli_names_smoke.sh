#!/usr/bin/env bash
# Names and batches on the command line (registered in CMakeLists.txt), the
# regressions of issue 14 items 2, 3 and 9, on the committed aligned crops of
# face-api samples (tests/golden/embed):
#   1. a batch with a missing file named by a non-UTF-8 byte goes on to the
#      next file and exits 1; a real file with such a name gets valid JSON
#      whose image_bytes (base64) gives the exact name back;
#   2. a person whose name is not UTF-8 enrolls, and `find` still prints
#      valid UTF-8 JSON with the exact name in identity_bytes;
#   3. enroll and cluster exit 1, as detect and find do, when a file was
#      skipped as unreadable (their summary still printed);
#   4. a path with a newline gives one error line (the newline escaped), a
#      symlink loop is reported as one, a corrupt PNG gives facekit's line
#      only (no OpenCV or libpng line of their own);
#   5. `find --text` escapes terminal control characters in person names.
# Skips (exit 77) when the models or python3 are not installed.
#   tests/cli_names_smoke.sh path/to/facekit
set -uo pipefail
facekit=$1
golden=$(dirname "$0")/golden/embed
for id in faceapi-recognition faceapi-landmark68 faceapi-ssd-mobilenetv1; do
  "$facekit" models check "$id" >/dev/null || { echo "SKIP: model $id not installed"; exit 77; }
done
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
# Every line of stdin is JSON in valid UTF-8; prints the base64-decoded value
# of the first "<key>_bytes" found at the top level or in faces[].
json_bytes() {
  python3 -c '
import base64, json, sys
key = sys.argv[1]
for line in sys.stdin.buffer.read().decode("utf-8").splitlines():
    o = json.loads(line)
    for x in [o] + o.get("faces", []):
        if key + "_bytes" in x:
            sys.stdout.buffer.write(base64.b64decode(x[key + "_bytes"]))
            sys.exit(0)
sys.exit(1)' "$1"
}
opts=(--model faceapi --no-detect --threads 1)

# 1. One bad name in a batch.
bad=$(printf 'bad\xff.png')
out=$("$facekit" detect "$golden/sample1-150.png" "$work/$bad" "$golden/sample3-150.png" --threads 1 2>"$work/err")
rc=$?
cat "$work/err"
[ "$rc" -eq 1 ] || fail "a batch with a missing file exited $rc, not 1"
grep -q 'sample3-150.png' <<<"$out" || fail "the file after the bad one got no output"
[ "$(wc -l <"$work/err")" -eq 1 ] || fail "the missing file is not one error line"
cp "$golden/sample1-150.png" "$work/$bad"
out=$("$facekit" detect "$work/$bad" --threads 1) || fail "a file named with a non-UTF-8 byte failed"
[ "$(json_bytes image <<<"$out")" = "$work/$bad" ] || fail "image_bytes does not give the name back: $out"

# 2. A person named with a non-UTF-8 byte.
jose=$(printf 'Jos\xe9')
mkdir -p "$work/people/$jose" "$work/people/Zoe"
cp "$golden/sample1-150.png" "$work/people/$jose/a.png"
cp "$golden/sample3-150.png" "$work/people/Zoe/z.png"
"$facekit" enroll "$work/people" --db "$work/people.db" "${opts[@]}" >/dev/null 2>&1 || fail "enroll failed"
out=$("$facekit" find "$golden/sample1-224.png" "$golden/sample3-224.png" --db "$work/people.db" "${opts[@]}") ||
  fail "find against a gallery with a non-UTF-8 name failed"
echo "$out"
[ "$(json_bytes identity <<<"$(head -1 <<<"$out")")" = "$jose" ] || fail "identity_bytes does not give the name back"
grep -q '"identity":"Zoe"' <<<"$out" || fail "the second query is not Zoe"

# 3. Skipped unreadable files make the exit code 1 in enroll and cluster too.
echo "not a png" > "$work/people/Zoe/broken.png"
out=$("$facekit" enroll "$work/people" --db "$work/people.db" "${opts[@]}" 2>"$work/err")
rc=$?
[ "$rc" -eq 1 ] || fail "enroll skipping an unreadable file exited $rc, not 1"
grep -q '"unreadable":1' <<<"$out" || fail "enroll printed no summary: $out"
out=$("$facekit" cluster "$work/people/Zoe" "${opts[@]}" 2>"$work/err")
rc=$?
[ "$rc" -eq 1 ] || fail "cluster skipping an unreadable file exited $rc, not 1"
grep -q '"clusters"' <<<"$out" || fail "cluster printed no result: $out"

# 4. Error lines: one per problem, facekit's own.
"$facekit" detect "$work/new
line.png" --threads 1 >/dev/null 2>"$work/err"
cat "$work/err"
[ "$(wc -l <"$work/err")" -eq 1 ] || fail "a path with a newline split the error line"
grep -q 'new\\x0aline.png: no such file' "$work/err" || fail "the newline is not escaped"
ln -s "$work/loop-b.png" "$work/loop-a.png"
ln -s "$work/loop-a.png" "$work/loop-b.png"
"$facekit" detect "$work/loop-a.png" --threads 1 >/dev/null 2>"$work/err"
cat "$work/err"
grep -q 'symbolic links' "$work/err" || fail "a symlink loop is not reported as one"
# A PNG whose compressed data is corrupt under valid CRCs (libpng: "libpng
# error: IDAT: ..."), a JPEG with corrupt scan data that still decodes
# (libjpeg: "Corrupt JPEG data: ...").
python3 - "$golden/sample1-150.png" "$work/zlib.png" "$golden/sample1-224.png" "$work/scan.jpg" <<'PY' ||
import struct, sys, zlib
png = open(sys.argv[1], "rb").read()
at = png.index(b"IDAT") - 4
n = struct.unpack(">I", png[at:at + 4])[0]
chunk = bytearray(png[at + 4:at + 8 + n])
for k in range(44, 64):
    chunk[k] ^= 0xA5
open(sys.argv[2], "wb").write(png[:at + 4] + chunk + struct.pack(">I", zlib.crc32(chunk)) + png[at + 12 + n:])
PY
  fail "cannot make the corrupt images"
"$facekit" detect "$golden/sample1-224.png" --draw "$work/photo.jpg" --threads 1 >/dev/null || fail "cannot write a JPEG"
python3 - "$work/photo.jpg" <<'PY' || fail "cannot corrupt the JPEG"
import sys
path = sys.argv[1]
jpeg = bytearray(open(path, "rb").read())
start = jpeg.index(b"\xff\xda") + 200
for k in range(start, start + 40):
    if jpeg[k] not in (0x00, 0xFF):
        jpeg[k] ^= 0x3C
open(path, "wb").write(jpeg)
PY
"$facekit" detect "$work/zlib.png" "$work/photo.jpg" --threads 1 >/dev/null 2>"$work/err"
cat "$work/err"
[ "$(grep -vc '^facekit: ' "$work/err")" -eq 0 ] || fail "lines on stderr that are not facekit's"
[ "$(wc -l <"$work/err")" -eq 1 ] || fail "not one line for the corrupt PNG"

# 5. --text escapes terminal control characters in names.
evil=$(printf 'Evil\033[2J')
mkdir -p "$work/evil/$evil"
cp "$golden/sample5-150.png" "$work/evil/$evil/e.png"
out=$("$facekit" find "$golden/sample5-224.png" --db "$work/evil" --text "${opts[@]}") || fail "find --text failed"
echo "$out"
grep -q $'\033' <<<"$out" && fail "--text printed an escape character"
grep -qF 'Evil\x1b[2J' <<<"$out" || fail "--text does not show the escaped name"
echo "PASS"
