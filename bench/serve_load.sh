#!/usr/bin/env bash
# Load on `facekit serve` over loopback, bounded in time: POST /verify (two
# aligned crops, faceapi, no detection: the recognition path alone) and
# CompreFace's /api/v1/recognition/recognize (one crop against a 3-person
# gallery) at each concurrency for SECONDS each, with wrk (Debian's `wrk`).
# Prints requests/s, p50/p99 latency, non-2xx answers and the server's
# resident memory before and after, one line per run.
#   bench/serve_load.sh path/to/facekit [SECONDS] [CONCURRENCY...]
#   e.g. bench/serve_load.sh build/facekit 10 1 2 8 64
# With PEER=1, also the peer in the same run: /verify of two photos
# (face-api's sample1.jpg and sample2.jpg, detection included) by facekit
# (faceapi recognizer, SSD detector: face-api's own pipeline) and by face-api
# in Node behind tools/oracle/faceapi_verify_server.mjs, the same wrk script
# and body, side by side (rows verify-photo and faceapi-peer).
# With SOAK=N, then N requests of /recognize (mobilefacenet, 112×112 crops;
# bounded: each of wrk's threads stops after its share) with the server's
# resident memory sampled every 2 s (rows soak-rss: seconds, requests so far, MB).
set -euo pipefail
facekit=$(realpath "$1")
seconds=${2:-10}
shift $(( $# >= 2 ? 2 : 1 ))
levels=("${@:-1 2 8}")
read -r -a levels <<<"${levels[*]}"
golden=$(realpath "$(dirname "$0")/../tests/golden/embed")
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)"; exit 1; }
work=$(mktemp -d)
server=""
peer=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; [ -n "$peer" ] && kill "$peer" 2>/dev/null; rm -rf "$work"' EXIT
trap 'exit 1' TERM INT  # so that the EXIT trap stops the servers
oracle=$(realpath "$(dirname "$0")/../tools/oracle")
cd "$work"

# multipart BODY-FILE FIELD=FILE...: a multipart/form-data body with these files
# and the fields model_name=$model, detector_backend=$detector (skip: none).
boundary=facekit-bench-boundary
model=faceapi
detector=skip
multipart() {
  local out=$1; shift
  : >"$out"
  for part in "$@"; do
    printf -- '--%s\r\nContent-Disposition: form-data; name="%s"; filename="%s"\r\nContent-Type: image/png\r\n\r\n' \
      "$boundary" "${part%%=*}" "$(basename "${part#*=}")" >>"$out"
    cat "${part#*=}" >>"$out"
    printf '\r\n' >>"$out"
  done
  for field in model_name=$model detector_backend=$detector; do
    printf -- '--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' "$boundary" "${field%%=*}" "${field#*=}" >>"$out"
  done
  printf -- '--%s--\r\n' "$boundary" >>"$out"
}
# A wrk script posting BODY-FILE; with a third argument N, each of wrk's
# threads stops after N answers.
wrk_script() {
  cat >"$2" <<EOF
local f = io.open("$1", "rb")
wrk.method = "POST"
wrk.body = f:read("*all")
f:close()
wrk.headers["Content-Type"] = "multipart/form-data; boundary=$boundary"
local answers, quota = 0, ${3:-0}
response = function()
  answers = answers + 1
  if quota > 0 and answers >= quota then wrk.thread:stop() end
end
done = function(summary, latency, requests)
  local non2xx = summary.errors.status
  io.write(string.format("RESULT %.1f %.1f %.1f %d %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.requests, non2xx))
end
EOF
}
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/${1:-$server}/status"; }

multipart verify.body "img1=$golden/sample1-150.png" "img2=$golden/sample1-224.png"
multipart recognize.body "file=$golden/sample3-224.png"
wrk_script "$work/verify.body" verify.lua
wrk_script "$work/recognize.body" recognize.lua
if [ "${PEER:-0}" = 1 ]; then
  samples=${FACEKIT_MODELS:-$HOME/.cache/facekit}/faceapi-samples
  detector=ssd multipart photos.body "img1=$samples/sample1.jpg" "img2=$samples/sample2.jpg"
  wrk_script "$work/photos.body" photos.lua
fi

max=0
for c in "${levels[@]}"; do max=$(( c > max ? c : max )); done
"$facekit" serve --port 0 --db "$work/g.db" --max-in-flight $(( max + 8 )) 2>server.log &
server=$!
for _ in $(seq 1200); do  # a loaded machine takes a while to start it
  port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' server.log | grep -o '[0-9]*$' || true)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "facekit serve did not start:"; cat server.log; exit 1; }
url=http://127.0.0.1:$port
for p in "Ann=sample1-150" "Zoe=sample3-150" "Cy=sample5-150"; do
  curl -sf -o /dev/null -F "img=@$golden/${p#*=}.png" -F "img_name=${p%%=*}" -F model_name=faceapi \
    -F detector_backend=skip "$url/register"
done
# Warm up: models loaded, one instance per worker.
wrk -t1 -c"$max" -d2s -s verify.lua "$url/verify" >/dev/null
wrk -t1 -c"$max" -d2s -s recognize.lua "$url/api/v1/recognition/recognize?model_name=faceapi&detector_backend=skip" >/dev/null
head -1 server.log
printf '%-12s %5s %9s %9s %9s %9s %7s %13s\n' route conc req/s p50_ms p99_ms requests non2xx rss_mb
# run NAME SCRIPT URL PID: one row per concurrency level.
run() {
  for c in "${levels[@]}"; do
    before=$(rss_mb "$4")
    read -r _ rps p50 p99 n non2xx < <(wrk -t"$(( c < 4 ? c : 4 ))" -c"$c" -d"${seconds}s" --timeout 60s -s "$2" "$3" | grep RESULT)
    printf '%-12s %5d %9s %9s %9s %9s %7s %6s→%-6s\n' "$1" "$c" "$rps" "$p50" "$p99" "$n" "$non2xx" "$before" "$(rss_mb "$4")"
  done
}
run verify verify.lua "$url/verify" "$server"
run recognize recognize.lua "$url/api/v1/recognition/recognize?model_name=faceapi&detector_backend=skip" "$server"

if [ "${PEER:-0}" = 1 ]; then
  warm() { curl -sf -o /dev/null --max-time 600 -H "Content-Type: multipart/form-data; boundary=$boundary" \
    --data-binary @photos.body "$1"; }
  warm "$url/verify"
  wrk -t1 -c2 -d2s -s photos.lua "$url/verify" >/dev/null
  run verify-photo photos.lua "$url/verify" "$server"
  node "$oracle/faceapi_verify_server.mjs" --port=0 2>peer.log &
  peer=$!
  for _ in $(seq 600); do
    peer_port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' peer.log | grep -o '[0-9]*$' || true)
    [ -n "$peer_port" ] && break
    sleep 0.5
  done
  [ -n "$peer_port" ] || { echo "the face-api peer did not start:"; cat peer.log; exit 1; }
  head -1 peer.log
  warm "http://127.0.0.1:$peer_port/verify"  # the first call compiles wasm kernels: slow
  wrk -t1 -c2 -d5s -s photos.lua "http://127.0.0.1:$peer_port/verify" >/dev/null
  run faceapi-peer photos.lua "http://127.0.0.1:$peer_port/verify" "$peer"
  kill "$peer"
  peer=""
fi

if [ "${SOAK:-0}" -gt 0 ]; then
  # /recognize with the default recognizer (mobilefacenet, 112×112 crops: the
  # cheaper network, so that N requests fit in minutes) against 3 people.
  for p in "Ann=sample1-112" "Zoe=sample3-112" "Cy=sample5-112"; do
    curl -sf -o /dev/null -F "img=@$golden/${p#*=}.png" -F "img_name=${p%%=*}" -F model_name=mobilefacenet \
      -F detector_backend=skip "$url/register"
  done
  threads=4
  model=mobilefacenet multipart soak.body "file=$golden/sample3-112.png"
  wrk_script "$work/soak.body" soak.lua $(( (SOAK + threads - 1) / threads ))
  soak_path="/api/v1/recognition/recognize?model_name=mobilefacenet&detector_backend=skip"
  served() { curl -s "$url/metrics" | awk '/^facekit_http_requests_total/ && /recognize/ {n += $NF} END {printf "%d", n}'; }
  start=$(served)
  ( t=0; while sleep 2; do t=$((t + 2)); echo "soak-rss $t $(( $(served) - start )) $(rss_mb)"; done ) &
  sampler=$!
  echo "soak-rss 0 0 $(rss_mb)"
  # The Lua quota stops each thread; SOAK_SECONDS (default an hour) bounds the time.
  read -r _ rps p50 p99 n non2xx < <(wrk -t$threads -c8 -d"${SOAK_SECONDS:-3600}s" --timeout 60s -s soak.lua \
    "$url$soak_path" | grep RESULT)
  kill "$sampler"
  echo "soak-rss end $(( $(served) - start )) $(rss_mb)"
  printf '%-12s %5d %9s %9s %9s %9s %7s\n' soak 8 "$rps" "$p50" "$p99" "$n" "$non2xx"
fi
