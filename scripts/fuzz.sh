#!/usr/bin/env bash
# Builds every libFuzzer target (fuzz/*_fuzz.cc) with clang under ASan and
# UBSan and runs each briefly from a seed corpus of real model files; then
# runs the gallery store's PostgreSQL tests under the same sanitizers (the
# libpq code has no fuzz target of its own).
set -euo pipefail
seconds=${FUZZ_SECONDS:-45}
CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFACEKIT_FUZZ=ON -DFACEKIT_SANITIZE=ON \
  -DFACEKIT_TESTS=ON -DFACEKIT_BENCH=OFF >/dev/null
targets=$(cd fuzz && ls *_fuzz.cc | sed 's/\.cc$//')
cmake --build build-fuzz -j"$(nproc)" --target $targets gallery_store_test
models=${FACEKIT_MODELS:-$HOME/.cache/facekit}
# One fuzzer per core at a time: each is single-threaded, so the run takes
# (targets / cores) × seconds rather than targets × seconds.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run_target() {
  local t=$1 corpus="$work/$1.corpus"
  mkdir -p "$corpus"
  case $t in
    tflite_fuzz) cp "$models"/mtcnn-pnet/*.tflite "$models"/mtcnn-rnet/*.tflite "$corpus"/ ;;
    tfjs_fuzz)   cp "$models"/human-liveness/*.json "$models"/human-emotion/*.json "$corpus"/ ;;
    onnx_fuzz)   cp /usr/share/libonnx-testdata/data/node/test_conv_with_strides_padding/model.onnx "$corpus"/conv.onnx;
                 cp /usr/share/libonnx-testdata/data/node/test_maxpool_2d_same_upper/model.onnx "$corpus"/pool.onnx ;;
  esac
  [ -d "fuzz/corpus/$t" ] && cp fuzz/corpus/"$t"/* "$corpus"/ 2>/dev/null || true
  local rc=0
  ./build-fuzz/"$t" "$corpus" -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=1048576 \
    -print_final_stats=1 >"$work/$t.log" 2>&1 || rc=$?
  # One write per target, so that parallel targets do not interleave lines.
  printf 'fuzz: %s for %ss (exit %s)\n%s\n' "$t" "$seconds" "$rc" "$(tail -n 12 "$work/$t.log")"
  return $rc
}
# The store's PostgreSQL tests are one more job of the same pool, so that they
# run beside the last fuzzer instead of after it (five targets on two cores
# leave one core idle for the last round).
run_store_tests() {
  local rc=0 out
  out=$(./build-fuzz/gallery_store_test --gtest_filter='*postgres:*OnPostgres*' --gtest_brief=1 2>&1) || rc=$?
  printf "sanitizers: the gallery store's PostgreSQL tests (exit %s)\n%s\n" "$rc" "$out"
  return $rc
}
export -f run_target run_store_tests
export seconds models work
# xargs exits non-zero when any job failed (a finding), after all have run.
printf '%s\n' $targets | sed 's/^/run_target /; $a run_store_tests' | xargs -P "$(nproc)" -I{} bash -c '{}'
