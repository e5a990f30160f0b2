#!/usr/bin/env bash
# Smoke test of `facekit enroll` and `facekit find` (registered in
# CMakeLists.txt) on the committed aligned crops of three face-api samples
# (tests/golden/embed, --no-detect):
#   1. enroll a folder per person (names with a quote, a space and unicode),
#      a duplicate photo and an unreadable file: each skipped with one line,
#      and the exit code 1 for the unreadable one (the summary still printed);
#   2. a rerun adds nothing (incremental by content hash);
#   3. find names the right person for each enrolled face's other crop size,
#      and writes the matched face's thumbnail (a JPEG named by vector id);
#   4. --jobs 2 stores the same gallery (every row but the time, thumbnails
#      included, compared with the sqlite3 shell), prints the same lines and
#      counts as --jobs 1;
#   5. with detection and --jobs 2, a faceless photo (a black image) and an
#      unreadable one are each reported once, among enough photos that both
#      workers are busy;
#   6. enroll and find again in PostgreSQL, on a throwaway server (initdb,
#      unix socket only; as the postgres user under root), when installed.
# Skips (exit 77) when the models or the sqlite3 shell are not installed.
#   tests/cli_gallery_smoke.sh path/to/facekit
set -uo pipefail
facekit=$1
golden=$(dirname "$0")/golden/embed
for id in faceapi-recognition faceapi-landmark68 faceapi-ssd-mobilenetv1 mtcnn-pnet mtcnn-rnet mtcnn-onet; do
  "$facekit" models check "$id" >/dev/null || { echo "SKIP: model $id not installed"; exit 77; }
done
command -v sqlite3 >/dev/null || { echo "SKIP: the sqlite3 shell is not installed"; exit 77; }
work=$(mktemp -d)
pg=$(mktemp -d)
pg_bin=$(pg_config --bindir 2>/dev/null)
as_server=()
[ "$(id -u)" -eq 0 ] && as_server=(runuser -u postgres --)  # initdb and postgres refuse root
stop_server() { [ -f "$pg/data/postmaster.pid" ] && "${as_server[@]}" "$pg_bin/pg_ctl" -D "$pg/data" -m immediate stop >/dev/null; }
trap 'stop_server; rm -rf "$work" "$pg"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

mkdir -p "$work/people/Ann O'Brien" "$work/people/Zoë" "$work/people/Cy"
cp "$golden/sample1-150.png" "$work/people/Ann O'Brien/a.png"
cp "$golden/sample3-150.png" "$work/people/Zoë/z.png"
cp "$golden/sample5-150.png" "$work/people/Cy/c.png"
cp "$golden/sample5-150.png" "$work/people/Cy/copy.png"
echo "not a png" > "$work/people/Cy/broken.png"
opts=(--model faceapi --no-detect --threads 1)

# broken.png is skipped as unreadable: the summary is printed and the exit code is 1.
out=$("$facekit" enroll "$work/people" --db "$work/people.db" --jobs 1 "${opts[@]}" 2>"$work/err")
[ $? -eq 1 ] || fail "enroll skipping an unreadable photo did not exit 1"
cat "$work/err"; echo "$out"
grep -q '"added":3' <<<"$out" || fail "three photos not added"
grep -q '"people":3' <<<"$out" || fail "three people not stored"
grep -q 'copy.png: the same photo as' "$work/err" || fail "the duplicate is not reported"
grep -q 'broken.png' "$work/err" || fail "the unreadable file is not reported"

out=$("$facekit" enroll "$work/people" --db "$work/people.db" "${opts[@]}" 2>/dev/null)
[ $? -eq 1 ] || fail "the rerun did not exit 1 (broken.png is still there)"
grep -q '"added":0' <<<"$out" || fail "the rerun added photos again: $out"

for pair in "sample1-224.png:Ann O'Brien" "sample3-224.png:Zoë" "sample5-224.png:Cy"; do
  out=$("$facekit" find "$golden/${pair%%:*}" --db "$work/people.db" "${opts[@]}" --thumbnails "$work/thumbs") ||
    fail "find failed"
  echo "$out"
  grep -q "\"identity\":\"${pair#*:}\",\"distance\"" <<<"$out" || fail "${pair%%:*} is not ${pair#*:}"
  thumbnail=$(grep -o '"thumbnail":"[^"]*"' <<<"$out" | cut -d'"' -f4)
  [[ "$thumbnail" == "$work/thumbs/vector-"*.jpg ]] || fail "no thumbnail path for ${pair%%:*}: $out"
  [ "$(head -c 3 "$thumbnail" | od -An -tx1 | tr -d ' ')" = ffd8ff ] || fail "$thumbnail is not a JPEG"
done

# Everything stored but the ids and the time, in a fixed order.
dump() {
  sqlite3 "$1" "SELECT pe.name, ph.model, ph.file, ph.content_hash, v.x, v.y, v.width, v.height, v.dimension,
                       hex(v.data), hex(t.jpeg)
                FROM photos ph JOIN people pe ON pe.id = ph.person_id LEFT JOIN vectors v ON v.photo_id = ph.id
                LEFT JOIN thumbnails t ON t.vector_id = v.id
                ORDER BY ph.content_hash, v.id"
}
summary_of() { sed 's/"db":"[^"]*",//' <<<"$1"; }
sequential=$("$facekit" enroll "$work/people" --db "$work/jobs1.db" --jobs 1 --batch 2 "${opts[@]}" 2>"$work/err1")
[ $? -eq 1 ] || fail "enroll --jobs 1 did not exit 1"
parallel=$("$facekit" enroll "$work/people" --db "$work/jobs2.db" --jobs 2 --batch 2 "${opts[@]}" 2>"$work/err2")
[ $? -eq 1 ] || fail "enroll --jobs 2 did not exit 1"
[ "$(summary_of "$sequential")" = "$(summary_of "$parallel")" ] || fail "counts differ: $sequential vs $parallel"
cmp -s "$work/err1" "$work/err2" || { diff "$work/err1" "$work/err2"; fail "--jobs 2 reports differently"; }
# c.png and copy.png fall into different batches: the copy is still a duplicate.
grep -q 'copy.png: the same photo as' "$work/err1" || fail "a duplicate in a later batch is not reported"
[ "$(dump "$work/jobs1.db" | wc -l)" -eq 3 ] || fail "the sequential gallery does not hold 3 photos"
dump "$work/jobs1.db" > "$work/dump1"
dump "$work/jobs2.db" > "$work/dump2"
cmp -s "$work/dump1" "$work/dump2" || fail "--jobs 2 stored another gallery than --jobs 1"

mkdir -p "$work/detected/Black" "$work/detected/Broken"
{ printf 'P5\n96 96\n255\n'; head -c $((96 * 96)) /dev/zero; } > "$work/detected/Black/black.pgm"
echo "not a png" > "$work/detected/Broken/broken.png"
for k in 1 2 3 4 5 6; do
  mkdir -p "$work/detected/P$k"
  cp "$golden/sample$(( k % 2 * 2 + 1 ))-224.png" "$work/detected/P$k/p.png"
  printf '%s' "$k" >> "$work/detected/P$k/p.png"  # other bytes, the same image: not a duplicate
done
out=$("$facekit" enroll "$work/detected" --db "$work/detected.db" --jobs 2 --model faceapi --threads 1 \
  2>"$work/err")
[ $? -eq 1 ] || fail "enroll with detection and an unreadable photo did not exit 1"
cat "$work/err"; echo "$out"
[ "$(grep -c 'black.pgm: no face found' "$work/err")" -eq 1 ] || fail "the faceless photo is not reported once"
[ "$(grep -c 'broken.png' "$work/err")" -eq 1 ] || fail "the unreadable photo is not reported once"
grep -q '"faceless":1,"unreadable":1' <<<"$out" || fail "faceless and unreadable photos not counted once"

if [ -x "$pg_bin/initdb" ] && [ -x "$pg_bin/pg_ctl" ]; then
  [ ${#as_server[@]} -eq 0 ] || chown postgres "$pg"
  "${as_server[@]}" "$pg_bin/initdb" -D "$pg/data" -U facekit -A trust --no-sync --no-instructions >/dev/null ||
    fail "initdb failed"
  "${as_server[@]}" "$pg_bin/pg_ctl" -D "$pg/data" -l "$pg/log" -w -o "-k $pg -c listen_addresses= -F" start \
    >/dev/null || fail "the PostgreSQL server did not start: $(cat "$pg/log")"
  uri="postgresql:///postgres?host=$pg&user=facekit"
  out=$("$facekit" enroll "$work/people" --db "$uri" "${opts[@]}" 2>/dev/null)
  [ $? -eq 1 ] || fail "enroll into PostgreSQL did not exit 1 (broken.png)"
  echo "$out"
  grep -q '"added":3' <<<"$out" || fail "three photos not added to PostgreSQL"
  out=$("$facekit" find "$golden/sample3-224.png" --db "$uri" "${opts[@]}") || fail "find in PostgreSQL failed"
  grep -q '"identity":"Zoë","distance"' <<<"$out" || fail "sample3-224.png is not Zoë in PostgreSQL: $out"
else
  echo "PostgreSQL server binaries not found: its part skipped"
fi
echo "PASS"
