#!/usr/bin/env bash
# `facekit serve` end to end (registered in CMakeLists.txt): starts the
# service on a free loopback port and drives every route with face-api's
# sample photos and the committed aligned crops (tests/golden/embed):
#   - deepface's routes (multipart, base64 JSON, data URI) answer what the
#     CLI answers for the same image: the "facekit" part of each answer is
#     the CLI's --json output, byte for byte (one serialiser);
#   - CompreFace's subjects, faces (paging, thumbnail, deletion), recognize,
#     verify and detect, and hostile subject names (path tricks, quotes);
#   - errors: no face (code 28), bad base64, URLs and server paths, wrong
#     content type, malformed JSON, a body over the cap (413), an unknown
#     route, bad field values; every error JSON {error, message, code};
#   - API keys: none, unknown, Bearer and x-api-key, read-only, one gallery;
#     no key and a non-loopback host is refused; bad options are refused;
#   - the in-flight cap (503 + Retry-After), /metrics, /openapi.json
#     listing every route, a slow client cut off, SIGTERM answering the
#     request in flight and leaving a sound gallery.
# Skips (exit 77) when the models or the samples are not installed.
#   tests/cli_serve_smoke.sh path/to/facekit
set -uo pipefail
facekit=$(realpath "$1")
golden=$(realpath "$(dirname "$0")/golden/embed")
samples=${FACEKIT_MODELS:-$HOME/.cache/facekit}/faceapi-samples
for id in faceapi-recognition mobilefacenet faceapi-ssd-mobilenetv1 faceapi-landmark68 mtcnn-pnet mtcnn-rnet \
          mtcnn-onet faceapi-age-gender faceapi-samples; do
  "$facekit" models check "$id" >/dev/null 2>&1 || { echo "SKIP: model $id not installed"; exit 77; }
done
command -v curl >/dev/null && command -v jq >/dev/null || { echo "SKIP: curl and jq are needed"; exit 77; }
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: ${*:0:1500}"; exit 1; }
cd "$work" || exit 1
cp "$samples/sample1.jpg" "$golden/sample1-150.png" "$golden/sample1-224.png" "$golden/sample3-150.png" \
   "$golden/sample3-224.png" "$golden/sample5-224.png" .
{ printf 'P6\n64 64\n255\n'; head -c $((64 * 64 * 3)) /dev/zero | tr '\0' '\200'; } >blank.ppm

# start NAME ARGS...: starts a server on a free loopback port; sets $port.
start() {
  local name=$1; shift
  "$facekit" serve --port 0 --threads 1 "$@" 2>"$name.log" &
  local pid=$!
  pids+=("$pid")
  eval "${name}_pid=$pid"
  for _ in $(seq 100); do
    port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$name.log" | grep -o '[0-9]*$')
    [ -n "$port" ] && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$name.log"; fail "$name did not start"; }
    sleep 0.1
  done
  fail "$name did not say where it listens"
}
# call METHOD PATH CURL-ARGS...: sets $status and $body (and $headers).
call() {
  local method=$1 path=$2; shift 2
  status=$(curl -s --path-as-is -X "$method" -D headers -o body -w '%{http_code}' "$@" "http://127.0.0.1:$port$path")
  body=$(tr -d '\0' <body)
  headers=$(cat headers)
}
expect() {  # expect STATUS WHAT
  [ "$status" = "$1" ] || fail "$2: HTTP $status, not $1: $body"
}
expect_error() {  # expect_error STATUS CODE WHAT: the status and the error JSON's shape and code
  expect "$1" "$3"
  jq -e --argjson code "$2" '(.error | type) == "string" and (.message | type) == "string" and .code == $code' \
    <<<"$body" >/dev/null || fail "$3: not an error JSON with code $2: $body"
}
same_json() {  # same_json A B WHAT
  [ "$(jq -cS . <<<"$1")" = "$(jq -cS . <<<"$2")" ] || fail "$3 differs from the CLI:
  service: $1
  CLI:     $2"
}

start open --db "$work/g.db" --db "other=$work/other.db"
echo "service on port $port"

# Service routes.
call GET /health; expect 200 health
call GET /; expect 200 home
jq -e '.version | length > 0' <<<"$body" >/dev/null || fail "GET / has no version: $body"
# A browser gets the web gallery (tests/browser drives it); an API client JSON.
call GET / -H 'Accept: text/html,application/xhtml+xml,*/*;q=0.8'; expect 200 "the web gallery"
grep -qi '^Content-Type: text/html' <<<"$headers" && grep -q '<script type="module" src="/web/app.js">' body ||
  fail "GET / for a browser is not the gallery page: $headers"
grep -qi "^Content-Security-Policy: default-src 'self'" <<<"$headers" || fail "the gallery page has no CSP: $headers"
call GET / -H 'Accept: application/json, text/html'; expect 200 "JSON asked first"
jq -e '.service == "facekit"' <<<"$body" >/dev/null || fail "Accept: application/json first did not get JSON: $body"
call GET /web/app.js; expect 200 "a gallery file"
grep -qi '^Content-Type: text/javascript' <<<"$headers" || fail "app.js is not JavaScript: $headers"
call GET /web/nope.js; expect_error 404 404 "an unknown gallery file"
call GET /web/..%2Fserve.h; expect_error 404 404 "path tricks in a gallery file name"
call GET /openapi.json; expect 200 openapi
for route in "/represent post" "/verify post" "/analyze post" "/register post" "/search post" "/detect post" \
             "/api/v1/recognition/subjects post" "/api/v1/recognition/subjects get" \
             "/api/v1/recognition/subjects delete" \
             "/api/v1/recognition/subjects/{subject} put" "/api/v1/recognition/subjects/{subject} delete" \
             "/api/v1/recognition/faces post" "/api/v1/recognition/faces get" "/api/v1/recognition/faces delete" \
             "/api/v1/recognition/faces/{image_id} delete" "/api/v1/recognition/faces/{image_id}/img get" \
             "/api/v1/recognition/recognize post" "/api/v1/verification/verify post" \
             "/api/v1/detection/detect post" "/health get" "/ get" "/metrics get" "/openapi.json get" \
             "/api/v1/video/watch post" "/web/{file} get"; do
  jq -e --arg p "${route% *}" --arg m "${route#* }" '.openapi == "3.0.3" and (.paths[$p][$m] | type) == "object"' \
    <<<"$body" >/dev/null || fail "/openapi.json lacks $route"
done

# deepface's routes against the CLI's answers for the same files.
cli_verify=$("$facekit" verify sample1-150.png sample1-224.png --model faceapi --no-detect --threads 1 --if-no-face refuse)
call POST /verify -F img1=@sample1-150.png -F img2=@sample1-224.png -F model_name=faceapi -F detector_backend=skip
expect 200 "deepface /verify, multipart"
same_json "$(jq .facekit <<<"$body")" "$cli_verify" "/verify (multipart)"
jq -e '.verified == true and (.distance | type) == "number" and (.threshold | type) == "number" and
       .model == "faceapi" and .detector_backend == "none" and .similarity_metric == "euclidean" and
       (.facial_areas.img1 | has("x") and has("y") and has("w") and has("h"))' <<<"$body" >/dev/null ||
  fail "/verify is not deepface-shaped: $body"
base64 -w0 sample1-150.png >a.b64; base64 -w0 sample1-224.png >b.b64
jq -n --rawfile a a.b64 --rawfile b b.b64 \
  '{img1: ("data:image/png;base64," + $a), img2: $b, model_name: "faceapi", detector_backend: "skip", enforce_detection: "true"}' >verify.json
call POST /verify -H 'Content-Type: application/json' --data-binary @verify.json
expect 200 "deepface /verify, JSON with a data URI and base64"
same_json "$(jq '.facekit | del(.faces[].image)' <<<"$body")" "$(jq 'del(.faces[].image)' <<<"$cli_verify")" \
  "/verify (base64 JSON)"
# threshold on /verify: 0 makes the pair different.
call POST /verify -F img1=@sample1-150.png -F img2=@sample1-224.png -F model_name=faceapi -F detector_backend=skip \
  -F threshold=0.000001
expect 200 "/verify with a threshold"
jq -e '.verified == false and .threshold == 0.000001' <<<"$body" >/dev/null || fail "/verify ignored threshold: $body"

cli_represent=$("$facekit" represent sample1.jpg --threads 1 --if-no-face refuse)
call POST /represent -F img=@sample1.jpg
expect 200 "deepface /represent"
same_json "$(jq .facekit <<<"$body")" "$cli_represent" "/represent"
jq -e '(.results | length) >= 1 and (.results[0].embedding | length) == .facekit.dimension and
       (.results[0].facial_area.w > 0) and (.results[0].face_confidence > 0.5)' <<<"$body" >/dev/null ||
  fail "/represent is not deepface-shaped: $body"

cli_detect=$("$facekit" detect sample1.jpg --threads 1)
call POST /detect -F img=@sample1.jpg
expect 200 "/detect"
same_json "$(jq .facekit <<<"$body")" "$cli_detect" "/detect"

cli_analyze=$("$facekit" analyze sample1.jpg --actions age,gender --threads 1)
base64 -w0 sample1.jpg >sample1.b64
jq -n --rawfile a sample1.b64 '{img: $a, actions: ["age", "gender"]}' >analyze.json
call POST /analyze -H 'Content-Type: application/json' --data-binary @analyze.json
expect 200 "deepface /analyze"
same_json "$(jq '.facekit | del(.image)' <<<"$body")" "$(jq 'del(.image)' <<<"$cli_analyze")" "/analyze"
jq -e '(.results[0].age | type) == "number" and (.results[0].dominant_gender == "Man" or
       .results[0].dominant_gender == "Woman") and (.results[0].gender.Man + .results[0].gender.Woman - 100 | fabs) < 0.01
       and (.results[0].region | has("x"))' <<<"$body" >/dev/null || fail "/analyze is not deepface-shaped: $body"

# register and search, then the CLI's find on the same gallery agrees.
call POST /register -F img=@sample1-150.png -F "img_name=Ann O'Brien" -F model_name=faceapi -F detector_backend=skip
expect 200 "deepface /register"
jq -e '.inserted == 1 and .identity == "Ann O'"'"'Brien"' <<<"$body" >/dev/null || fail "/register: $body"
call POST /register -F img=@sample3-150.png -F img_name=Zoë -F model_name=faceapi -F detector_backend=skip
expect 200 "/register Zoë"
call POST /register -F img=@sample3-150.png -F img_name=Someone -F model_name=faceapi -F detector_backend=skip
expect_error 409 409 "the same image for another identity"
# Concurrent requests after the first ones (the models' pools grow then).
curls=()
for i in 1 2 3 4; do
  curl -s -o "con$i" -w '%{http_code}' -F img1=@sample1-150.png -F img2=@sample1-224.png -F model_name=faceapi \
    -F detector_backend=skip "http://127.0.0.1:$port/verify" >"constatus$i" &
  curls+=($!)
done
wait "${curls[@]}"
for i in 1 2 3 4; do
  [ "$(cat "constatus$i")" = 200 ] || fail "concurrent /verify $i: HTTP $(cat "constatus$i"): $(cat "con$i")"
  same_json "$(jq .facekit "con$i")" "$cli_verify" "concurrent /verify $i"
done
call POST /search -F img=@sample3-224.png -F model_name=faceapi -F detector_backend=skip
expect 200 "deepface /search"
jq -e '.results[0][0].identity == "Zoë" and (.results[0][0].distance <= .results[0][0].threshold)' <<<"$body" \
  >/dev/null || fail "/search did not find Zoë: $body"
cli_find=$("$facekit" find sample3-224.png --db g.db --model faceapi --no-detect --threads 1)
same_json "$(jq .facekit <<<"$body")" "$cli_find" "/search"
call POST /search -F img=@sample5-224.png -F model_name=faceapi -F detector_backend=skip
expect 200 "/search for someone unknown"
jq -e '.results == [[]] and .facekit.faces[0].identity == null' <<<"$body" >/dev/null ||
  fail "an unknown face is not unknown: $body"

# CompreFace: subjects, faces, recognize, verify, detect (gallery "other").
api=/api/v1/recognition
call POST "$api/subjects?gallery=other" -H 'Content-Type: application/json' -d '{"subject": "../../etc/passwd"}'
expect 201 "CompreFace add subject"
call POST "$api/subjects?gallery=other" -H 'Content-Type: application/json' -d '{"subject": "Ann"}'
expect 201 "add subject Ann"
call POST "$api/subjects?gallery=other" -H 'Content-Type: application/json' -d '{"subject": "Ann"}'
expect_error 409 409 "a subject added twice"
call GET "$api/subjects?gallery=other"; expect 200 "list subjects"
[ "$(jq -c .subjects <<<"$body")" = '["../../etc/passwd","Ann"]' ] || fail "subjects listed wrong: $body"
ls "$work" | grep -q passwd && fail "a subject name became a file"
call PUT "$api/subjects/..%2F..%2Fetc%2Fpasswd?gallery=other" -H 'Content-Type: application/json' -d '{"subject": "Cy"}'
expect 200 "rename a subject with slashes in its name"
call DELETE "$api/subjects/nobody?gallery=other"; expect_error 404 404 "delete an unknown subject"
call POST "$api/faces?subject=Ann&gallery=other&model_name=faceapi&detector_backend=skip" -F file=@sample1-150.png
expect 201 "CompreFace add face (multipart)"
ann_id=$(jq -r .image_id <<<"$body")
call POST "$api/faces?subject=Ann&gallery=other&model_name=faceapi&detector_backend=skip" -F file=@sample1-150.png
expect 201 "the same face again for the same subject"
[ "$(jq -r .image_id <<<"$body")" = "$ann_id" ] || fail "the same image stored twice for Ann: $body"
base64 -w0 sample5-224.png >sample5.b64
jq -n --rawfile f sample5.b64 '{file: $f}' >face.json
call POST "$api/faces?subject=Cy&gallery=other&model_name=faceapi&detector_backend=skip" \
  -H 'Content-Type: application/json' --data-binary @face.json
expect 201 "CompreFace add face (base64 JSON)"
cy_id=$(jq -r .image_id <<<"$body")
call GET "$api/faces?gallery=other&page=0&size=1"; expect 200 "list faces"
jq -e '.total_elements == 2 and .total_pages == 2 and (.faces | length) == 1 and .faces[0].subject == "Ann"' \
  <<<"$body" >/dev/null || fail "faces paging: $body"
call GET "$api/faces?gallery=other&page=1&size=1"; expect 200 "list faces, page 1"
jq -e --arg id "$cy_id" '(.faces | length) == 1 and .faces[0].subject == "Cy" and .faces[0].image_id == $id
  and .page_number == 1' <<<"$body" >/dev/null || fail "faces page 1: $body"
call GET "$api/faces?gallery=other&page=5&size=1"; expect 200 "a page past the end"
jq -e '.faces == [] and .total_elements == 2' <<<"$body" >/dev/null || fail "a page past the end: $body"
call GET "$api/faces/$ann_id/img?gallery=other"; expect 200 "a face's thumbnail"
[ "$(head -c 2 body | od -An -tx1 | tr -d ' ')" = ffd8 ] || fail "the thumbnail is not a JPEG"
call GET "$api/faces/../../../etc/passwd/img"; expect_error 404 404 "path tricks in a face id"
call POST "$api/recognize?gallery=other&model_name=faceapi&detector_backend=skip&prediction_count=2" \
  -F file=@sample1-224.png
expect 200 "CompreFace recognize"
jq -e '.result[0].subjects[0].subject == "Ann" and .result[0].subjects[0].similarity > 0 and
       (.result[0].subjects | length) == 2 and .result[0].unknown == false and
       (.result[0].box | has("probability") and has("x_min") and has("y_min") and has("x_max") and has("y_max"))
       and (.result[0].distance <= .result[0].threshold)' <<<"$body" >/dev/null || fail "recognize: $body"
# candidate_faces: each candidate names its stored face (Ann has one, Cy one).
call POST "$api/recognize?gallery=other&model_name=faceapi&detector_backend=skip&prediction_count=2&candidate_faces=true" \
  -F file=@sample1-224.png
expect 200 "recognize with candidate_faces"
jq -e --arg ann "$ann_id" --arg cy "$cy_id" '[.facekit.faces[0].candidates[] | [.identity, .image_id]] ==
       [["Ann", $ann], ["Cy", $cy]]' <<<"$body" >/dev/null || fail "candidate_faces: $body"
call POST "$api/recognize?gallery=other&model_name=faceapi&detector_backend=skip&candidate_faces=maybe" \
  -F file=@sample1-224.png
expect_error 400 400 "a bad candidate_faces"
call POST "$api/recognize?gallery=other&model_name=faceapi&detector_backend=skip&face_plugins=gender,calculator" \
  -F file=@sample1-224.png
expect 200 "CompreFace recognize with gender and calculator"
jq -e '(.result[0].gender.value == "male" or .result[0].gender.value == "female") and
       (.result[0].embedding | length) == 128' <<<"$body" >/dev/null || fail "recognize with plugins: $body"
call POST "$api/recognize?gallery=other&face_plugins=landmarks" -F file=@sample1-224.png
expect_error 400 400 "landmarks on recognize"
call POST "/api/v1/verification/verify?model_name=faceapi&detector_backend=skip" -F source_image=@sample1-150.png \
  -F target_image=@sample1-224.png
expect 200 "CompreFace verify"
jq -e '.result[0].face_matches[0].similarity > 0 and .result[0].face_matches[0].verified == true and
       (.result[0].source_image_face.box | has("x_max"))' <<<"$body" >/dev/null || fail "verification: $body"
call POST "/api/v1/detection/detect?face_plugins=landmarks" -F file=@sample1.jpg
expect 200 "CompreFace detect"
jq -e '(.result | length) >= 1 and (.result[0].landmarks | length) == 5 and .result[0].box.probability > 0.5' \
  <<<"$body" >/dev/null || fail "detection: $body"
call POST "/api/v1/detection/detect?face_plugins=age,gender" -F file=@sample1.jpg
expect 200 "CompreFace detect with age and gender"
jq -e '[.result[] | select(.gender.value == "male" or .gender.value == "female") |
        select(.age.low <= .age.high and .gender.probability > 0.5)] | length >= 1' <<<"$body" >/dev/null ||
  fail "detection with age and gender: $body"
call POST "/api/v1/detection/detect?face_plugins=calculator" -F file=@sample1.jpg
expect_error 400 400 "an unoffered face plugin"
call DELETE "$api/faces/$cy_id?gallery=other"; expect 200 "delete a face by id"
call DELETE "$api/faces/$cy_id?gallery=other"; expect_error 404 404 "delete a deleted face"
call DELETE "$api/faces?subject=Ann&gallery=other"; expect 200 "delete a subject's faces"
jq -e '.deleted == 1' <<<"$body" >/dev/null || fail "delete faces by subject: $body"
call DELETE "$api/subjects/Cy?gallery=other"; expect 200 "delete a subject"
call DELETE "$api/subjects?gallery=other"; expect 200 "delete every subject"
jq -e '.deleted == 1' <<<"$body" >/dev/null || fail "delete every subject (Ann was left): $body"
call GET "$api/subjects?gallery=other"; expect 200 "list no subjects"
[ "$(jq -c .subjects <<<"$body")" = '[]' ] || fail "subjects left after deleting all: $body"
call GET "$api/subjects?gallery=nope"; expect_error 404 404 "an unknown gallery"

# Errors.
call POST /verify -F img1=@sample1-150.png -F img2=@blank.ppm -F model_name=faceapi
expect_error 400 28 "a faceless image"
jq -e '(.message | contains("enforce_detection=false")) and (.message | contains("--") | not)' <<<"$body" \
  >/dev/null || fail "the no-face advice names a CLI flag, not the request field: $body"
call POST /verify -F img1=@sample1-150.png -F img2=@blank.ppm -F model_name=faceapi -F enforce_detection=false
expect 200 "enforce_detection=false"
jq -e '.facekit.faces[1].face_found == false' <<<"$body" >/dev/null || fail "the stand-in face is not flagged: $body"
call POST /represent -H 'Content-Type: application/json' -d '{"img": "data:image/png;base64,@@@not base64@@@"}'
expect_error 400 400 "bad base64 in a data URI"
call POST /represent -H 'Content-Type: application/json' -d '{"img": "aGVsbG8gd29ybGQ="}'
expect_error 400 400 "base64 of something not an image"
call POST /represent -H 'Content-Type: application/json' -d '{"img": "https://example.com/a.jpg"}'
expect_error 400 400 "an image URL"
call POST /represent -H 'Content-Type: application/json' -d '{"img": "/etc/passwd.jpg"}'
expect_error 400 400 "a server-side path"
grep -q "paths are not accepted" body || fail "a server path is not refused as one: $body"
call POST /represent -H 'Content-Type: application/json' -d '{"img": '
expect_error 400 400 "malformed JSON"
call POST /represent -H 'Content-Type: text/plain' -d 'img=x'; expect_error 415 415 "a wrong content type"
call POST /represent -F img=@sample1.jpg -F model_name=nope; expect_error 400 400 "an unknown model"
grep -q "nope" body || fail "an unknown model is not named: $body"
call POST /represent -F img=@sample1.jpg -F align=false; expect_error 400 400 "align=false"
call POST /represent -F img=@sample1.jpg -F enforce_detection=maybe; expect_error 400 400 "a bad boolean"
call POST /verify -F img1=@sample1.jpg; expect_error 400 400 "a missing image"
call GET "$api/faces?size=0"; expect_error 400 400 "page size 0"
head -c $((11 * 1024 * 1024)) /dev/zero >big.bin
call POST /represent -F img=@big.bin; expect_error 413 413 "a body over the cap"
call GET /no/such/route; expect_error 404 404 "an unknown route"
call DELETE /health; expect_error 404 404 "a wrong method"

# /metrics after all that.
call GET /metrics; expect 200 metrics
grep -q 'facekit_http_requests_total{route="POST /verify"} [1-9]' body || fail "no /verify count: $body"
grep -q 'facekit_http_errors_total{route="POST /represent"} [1-9]' body || fail "no /represent errors: $body"
grep -q 'facekit_http_request_duration_seconds_count{route="POST /verify"}' body || fail "no latency: $body"
grep -q 'facekit_gallery_faces{gallery="default"} 2' body || fail "no gallery size: $body"
grep -Eq '^facekit_models_loaded [1-9]' body || fail "no models count: $body"

# A slow client is cut off after --timeout; others are answered meanwhile.
start slow --timeout 1
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'POST /verify HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nab' >&3
call GET /health; expect 200 "health beside a slow client"
answer=$(timeout 4 head -c 12 <&3)
[ "$answer" = "HTTP/1.1 400" ] || fail "a stalled upload was not answered 400 within 4 s: '$answer'"
exec 3<&-

# The in-flight cap: one admitted, the others 503 with Retry-After.
start capped --max-in-flight 1 --workers 1
curls=()
for i in 1 2 3 4; do
  curl -s -o "cap$i" -D "caph$i" -w '%{http_code}' -F img1=@sample1.jpg -F img2=@sample1.jpg \
    "http://127.0.0.1:$port/verify" >"capstatus$i" &
  curls+=($!)
done
wait "${curls[@]}"
statuses=$(cat capstatus1 capstatus2 capstatus3 capstatus4 | sort | tr '\n' ' ')
grep -q 200 <<<"$statuses" && grep -q 503 <<<"$statuses" || fail "the in-flight cap: statuses $statuses"
for i in 1 2 3 4; do
  [ "$(cat "capstatus$i")" = 503 ] || continue
  grep -qi '^Retry-After: 1' "caph$i" || fail "a 503 without Retry-After"
  jq -e '.code == 503' "cap$i" >/dev/null || fail "a 503 without the error JSON"
done

# API keys.
printf '# keys\nfull-key-0123456789abcdef\nread-key-0123456789abcdef read-only\nother-key-0123456789abcdef gallery=other\n' >keys
FACEKIT_API_KEYS="env-key-0123456789abcdef" start keyed --keys keys --db "$work/g.db" --db "other=$work/other.db"
call GET "$api/subjects"; expect_error 401 401 "no key"
call GET "$api/subjects" -H 'x-api-key: wrong-key-0123456789abcdef'; expect_error 401 401 "an unknown key"
call GET /health; expect 200 "health needs no key"
call GET "$api/subjects" -H 'Authorization: Bearer full-key-0123456789abcdef'; expect 200 "a Bearer key"
call GET "$api/subjects" -H 'x-api-key: env-key-0123456789abcdef'; expect 200 "the environment's key"
call GET "$api/subjects" -H 'x-api-key: read-key-0123456789abcdef'; expect 200 "a read-only key reading"
call POST "$api/subjects" -H 'x-api-key: read-key-0123456789abcdef' -H 'Content-Type: application/json' \
  -d '{"subject": "Dee"}'
expect_error 403 403 "a read-only key writing"
call GET "$api/subjects" -H 'x-api-key: other-key-0123456789abcdef'; expect_error 403 403 "a key of another gallery"
call GET "$api/subjects?gallery=other" -H 'x-api-key: other-key-0123456789abcdef'; expect 200 "a key of its gallery"

# Refusals at start.
"$facekit" serve --host 0.0.0.0 --port 0 2>err && fail "served on 0.0.0.0 without keys"
grep -q "no API key is configured" err || fail "the loopback-only rule is not said: $(cat err)"
for bad in "--port 70000" "--max-body 10" "--workers -1" "--max-in-flight 0" "--timeout 0"; do
  # shellcheck disable=SC2086
  "$facekit" serve $bad 2>err && fail "serve accepted $bad"
  grep -q -- "${bad% *}" err || fail "$bad is not named: $(cat err)"
done
echo "short" >badkeys
"$facekit" serve --port 0 --keys badkeys 2>err && fail "served with a short key"
grep -q "badkeys:1: a key must have at least 16" err || fail "a short key is not named: $(cat err)"

# SIGTERM: the request in flight is answered, the gallery is sound.
start drained --db "$work/g.db"
curl -s -o drain.json -w '%{http_code}' -F img=@sample5-224.png -F img_name=Cy -F model_name=faceapi \
  -F detector_backend=skip "http://127.0.0.1:$port/register" >drain.status &
curl_pid=$!
sleep 0.3
kill -TERM "$drained_pid"
wait "$curl_pid"
wait "$drained_pid"; rc=$?
[ "$rc" -eq 0 ] || fail "SIGTERM: exit code $rc"
[ "$(cat drain.status)" = 200 ] || fail "the request in flight at SIGTERM got $(cat drain.status): $(cat drain.json)"
grep -q "every request in flight was answered" drained.log || fail "no drain message: $(cat drained.log)"
"$facekit" gallery check g.db >check.out 2>&1 || fail "the gallery is not sound after SIGTERM: $(cat check.out)"
echo "PASS"
