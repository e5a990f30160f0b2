#!/usr/bin/env bash
# Smoke test of `facekit enroll` and `facekit find` (registered in
# CMakeLists.txt) on the committed aligned crops of three face-api samples
# (tests/golden/embed, --no-detect):
#   1. enroll a folder per person (names with a quote, a space and unicode),
#      a duplicate photo and an unreadable file: each skipped with one line;
#   2. a rerun adds nothing (incremental by content hash);
#   3. find names the right person for each enrolled face's other crop size,
#      and writes the matched face's thumbnail (a JPEG named by vector id);
#   4. enroll and find again in PostgreSQL, on a throwaway server (initdb,
#      unix socket only; as the postgres user under root), when installed.
# Skips (exit 77) when the models are not installed.
#   tests/cli_gallery_smoke.sh path/to/facekit
set -uo pipefail
facekit=$1
golden=$(dirname "$0")/golden/embed
for id in faceapi-recognition faceapi-landmark68; do
  "$facekit" models check "$id" >/dev/null || { echo "SKIP: model $id not installed"; exit 77; }
done
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

out=$("$facekit" enroll "$work/people" --db "$work/people.db" "${opts[@]}" 2>"$work/err") || fail "enroll failed"
cat "$work/err"; echo "$out"
grep -q '"added":3' <<<"$out" || fail "three photos not added"
grep -q '"people":3' <<<"$out" || fail "three people not stored"
grep -q 'copy.png: the same photo as' "$work/err" || fail "the duplicate is not reported"
grep -q 'broken.png' "$work/err" || fail "the unreadable file is not reported"

out=$("$facekit" enroll "$work/people" --db "$work/people.db" "${opts[@]}" 2>/dev/null) || fail "rerun failed"
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

if [ -x "$pg_bin/initdb" ] && [ -x "$pg_bin/pg_ctl" ]; then
  [ ${#as_server[@]} -eq 0 ] || chown postgres "$pg"
  "${as_server[@]}" "$pg_bin/initdb" -D "$pg/data" -U facekit -A trust --no-sync --no-instructions >/dev/null ||
    fail "initdb failed"
  "${as_server[@]}" "$pg_bin/pg_ctl" -D "$pg/data" -l "$pg/log" -w -o "-k $pg -c listen_addresses= -F" start \
    >/dev/null || fail "the PostgreSQL server did not start: $(cat "$pg/log")"
  uri="postgresql:///postgres?host=$pg&user=facekit"
  out=$("$facekit" enroll "$work/people" --db "$uri" "${opts[@]}" 2>/dev/null) || fail "enroll into PostgreSQL failed"
  echo "$out"
  grep -q '"added":3' <<<"$out" || fail "three photos not added to PostgreSQL"
  out=$("$facekit" find "$golden/sample3-224.png" --db "$uri" "${opts[@]}") || fail "find in PostgreSQL failed"
  grep -q '"identity":"Zoë","distance"' <<<"$out" || fail "sample3-224.png is not Zoë in PostgreSQL: $out"
else
  echo "PostgreSQL server binaries not found: its part skipped"
fi
echo "PASS"
