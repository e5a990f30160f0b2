#!/usr/bin/env bash
# Load on `facekit serve` over loopback, bounded in time: POST /verify (two
# aligned crops, faceapi, no detection: the recognition path alone) and
# CompreFace's /api/v1/recognition/recognize (one crop against a 3-person
# gallery) at each concurrency for SECONDS each, with wrk (Debian's `wrk`).
# Prints requests/s, p50/p99 latency, non-2xx answers and the server's
# resident memory before and after, one line per run.
#   bench/serve_load.sh path/to/facekit [SECONDS] [CONCURRENCY...]
#   e.g. bench/serve_load.sh build/facekit 10 1 2 8 64
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
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
cd "$work"

# multipart BODY-FILE FIELD=FILE...: a multipart/form-data body with these files
# and the fields model_name=faceapi, detector_backend=skip.
boundary=facekit-bench-boundary
multipart() {
  local out=$1; shift
  : >"$out"
  for part in "$@"; do
    printf -- '--%s\r\nContent-Disposition: form-data; name="%s"; filename="%s"\r\nContent-Type: image/png\r\n\r\n' \
      "$boundary" "${part%%=*}" "$(basename "${part#*=}")" >>"$out"
    cat "${part#*=}" >>"$out"
    printf '\r\n' >>"$out"
  done
  for field in model_name=faceapi detector_backend=skip; do
    printf -- '--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' "$boundary" "${field%%=*}" "${field#*=}" >>"$out"
  done
  printf -- '--%s--\r\n' "$boundary" >>"$out"
}
# A wrk script posting BODY-FILE.
wrk_script() {
  cat >"$2" <<EOF
local f = io.open("$1", "rb")
wrk.method = "POST"
wrk.body = f:read("*all")
f:close()
wrk.headers["Content-Type"] = "multipart/form-data; boundary=$boundary"
done = function(summary, latency, requests)
  local non2xx = summary.errors.status
  io.write(string.format("RESULT %.1f %.1f %.1f %d %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.requests, non2xx))
end
EOF
}
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$server/status"; }

multipart verify.body "img1=$golden/sample1-150.png" "img2=$golden/sample1-224.png"
multipart recognize.body "file=$golden/sample3-224.png"
wrk_script "$work/verify.body" verify.lua
wrk_script "$work/recognize.body" recognize.lua

max=0
for c in "${levels[@]}"; do max=$(( c > max ? c : max )); done
"$facekit" serve --port 0 --db "$work/g.db" --max-in-flight $(( max + 8 )) 2>server.log &
server=$!
for _ in $(seq 100); do
  port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' server.log | grep -o '[0-9]*$' || true)
  [ -n "$port" ] && break
  sleep 0.1
done
url=http://127.0.0.1:$port
for p in "Ann=sample1-150" "Zoe=sample3-150" "Cy=sample5-150"; do
  curl -sf -o /dev/null -F "img=@$golden/${p#*=}.png" -F "img_name=${p%%=*}" -F model_name=faceapi \
    -F detector_backend=skip "$url/register"
done
# Warm up: models loaded, one instance per worker.
wrk -t1 -c"$max" -d2s -s verify.lua "$url/verify" >/dev/null
wrk -t1 -c"$max" -d2s -s recognize.lua "$url/api/v1/recognition/recognize?model_name=faceapi&detector_backend=skip" >/dev/null
head -1 server.log
printf '%-10s %5s %9s %9s %9s %9s %7s %13s\n' route conc req/s p50_ms p99_ms requests non2xx rss_mb
for route in verify recognize; do
  path=/verify
  [ "$route" = recognize ] && path="/api/v1/recognition/recognize?model_name=faceapi&detector_backend=skip"
  for c in "${levels[@]}"; do
    before=$(rss_mb)
    read -r _ rps p50 p99 n non2xx < <(wrk -t"$(( c < 4 ? c : 4 ))" -c"$c" -d"${seconds}s" -s "$route.lua" "$url$path" | grep RESULT)
    printf '%-10s %5d %9s %9s %9s %9s %7s %6s→%-6s\n' "$route" "$c" "$rps" "$p50" "$p99" "$n" "$non2xx" "$before" "$(rss_mb)"
  done
done
