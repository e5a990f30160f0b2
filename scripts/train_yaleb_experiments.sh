#!/usr/bin/env bash
# The Yale B training experiments of docs/training.md, one after the other
# (each in a few minutes on 2 cores), into OUT (default build/yaleb-runs):
#   identity split (6 training, 4 held-out subjects): triplet (batch-hard),
#   ArcFace, MagFace on images; ArcFace on stereo maps and on image+stereo;
#   light split (images lit over 60° off-axis held out): ArcFace on images.
# Each run logs its epochs (RUN.jsonl), exports RUN.onnx; image models are
# then scored by the runtime on the held-out subjects (`facekit eval`,
# RUN-eval.json). Finally the curves are drawn into docs/images.
#   scripts/train_yaleb_experiments.sh [BUILD_DIR] [OUT]
set -euo pipefail
build=${1:-build}
out=${2:-$build/yaleb-runs}
data=${FACEKIT_DATA_DIR:-$(dirname "$0")/../../shared/data}/yaleb
[ -d "$data" ] || { echo "Yale B not found at $data (set FACEKIT_DATA_DIR)"; exit 1; }
mkdir -p "$out"
common=(--data "$data" --backbone mobilefacenet --input-size 32 --embedding-dim 64 --epochs 10
        -P 4 -K 4 --seed 1 --threads 2)

run() {  # NAME ARGS...
  local name=$1; shift
  [ -s "$out/$name.onnx" ] && { echo "== $name: done before"; return; }
  echo "== $name"
  rm -f "$out/$name.jsonl"
  /usr/bin/time -f "$name: %e s wall, %M KB" "$build/facekit-train" "${common[@]}" "$@" \
    --checkpoints "$out/$name-checkpoints" --log "$out/$name.jsonl" --out "$out/$name.onnx" 2>&1 | tee "$out/$name.txt"
}

held_out_folder() {  # NAME: a folder of links to the run's validation subjects
  local folder="$out/$1-val"
  rm -rf "$folder"; mkdir -p "$folder"
  for id in $(sed -n 's/^validation identities://p' "$out/$1.txt"); do ln -s "$(realpath "$data/$id")" "$folder/$id"; done
  echo "$folder"
}

run id-arcface --loss arcface
run id-triplet --loss triplet-hard
run id-magface --loss magface
run id-stereo-arcface --loss arcface --modalities stereo
run id-image+stereo-arcface --loss arcface --modalities image+stereo
run light-arcface --loss arcface --val-light-degrees 60

for name in id-triplet id-arcface id-magface; do
  "$build/facekit" eval --folders "$(held_out_folder $name)" --model "$out/$name.onnx" --no-detect --threads 2 \
    --json "$out/$name-eval.json" >"$out/$name-eval.txt"
done
"$build/train_curves" --auc docs/images/train_yaleb_auc.png --roc docs/images/train_yaleb_roc.png \
  --title "Yale B, 4 held-out subjects" \
  "triplet (batch-hard)=$out/id-triplet.jsonl,$out/id-triplet-eval.json" \
  "ArcFace=$out/id-arcface.jsonl,$out/id-arcface-eval.json" \
  "MagFace=$out/id-magface.jsonl,$out/id-magface-eval.json" \
  "ArcFace, stereo=$out/id-stereo-arcface.jsonl" \
  "ArcFace, image+stereo=$out/id-image+stereo-arcface.jsonl"
