#!/usr/bin/env bash
# Installs everything facekit needs on Debian 12, idempotently: Debian
# packages (only the missing ones), the Node packages of the oracles and
# peer benchmarks (tools/oracle, pinned by package-lock.json) and of the
# browser tests (tests/browser: puppeteer-core, driving Debian's chromium), the library
# and the `facekit` tool (only those: `make test` builds the rest), and the
# models of the zoo (npm pack, checksums). Run from the repository root.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git ca-certificates ccache
  libgtest-dev libgmock-dev libbenchmark-dev
  nlohmann-json3-dev libcli11-dev libssl-dev
  libflatbuffers-dev flatbuffers-compiler
  libonnx-dev libonnx-testdata libprotobuf-dev protobuf-compiler
  libdnnl-dev
  libsqlite3-dev sqlite3 libhnswlib-dev libfaiss-dev libpq-dev postgresql haproxy
  libcpp-httplib-dev wrk curl jq
  libtorch-dev
  libopencv-dev opencv-data libeigen3-dev
  clang libclang-rt-14-dev
  pybind11-dev python3-pybind11 python3-dev python3-numpy python3-pytest
  nodejs npm chromium
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A newer Node already on the PATH is as good as Debian's.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
read -r -a missing <<< "${missing[*]}"
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -d tools/oracle/node_modules ] || [ tools/oracle/package-lock.json -nt tools/oracle/node_modules ]; then
  echo "setup: installing the Node oracles (tools/oracle)"
  (cd tools/oracle && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
if [ ! -d tests/browser/node_modules ] || [ tests/browser/package-lock.json -nt tests/browser/node_modules ]; then
  echo "setup: installing puppeteer-core for the browser tests (tests/browser)"
  (cd tests/browser && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target facekit_cli
./build/facekit models install
