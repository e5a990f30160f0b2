#!/usr/bin/env bash
# The end-to-end demo: face-api's sample photos, which the set-up installs
# (zoo model faceapi-samples), through the whole pipeline — detect, align,
# embed, verify — with readable results.
set -euo pipefail
facekit=./build/facekit
samples=${FACEKIT_MODELS:-$HOME/.cache/facekit}/faceapi-samples
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

$facekit models check >/dev/null || { echo "demo: models missing: run \`make setup\`"; exit 1; }

echo "== detect: faces, landmarks and quality in sample1.jpg"
$facekit detect --text "$samples/sample1.jpg"

echo
echo "== represent: the face of sample1.jpg nearest its centre, aligned and embedded (first numbers)"
$facekit represent --face center "$samples/sample1.jpg" | cut -c1-300
echo "..."

echo
echo "== verify: sample1.jpg against a degraded copy of itself (half size, blurred, JPEG quality 25)"
node tools/oracle/perturb_photo.mjs "$samples/sample1.jpg" "$work/sample1-degraded.jpg"
$facekit verify --text "$samples/sample1.jpg" "$work/sample1-degraded.jpg"

echo
echo "== verify: the face of sample1.jpg nearest its centre against sample4.jpg's (the samples are"
echo "   photos of one TV cast and their faces carry no names: the models' answers are shown, not judged)"
$facekit verify --text "$samples/sample1.jpg" "$samples/sample4.jpg"

echo
echo "== verify: face-api's model, fed face-api's own crop, at face-api's threshold (Euclidean 0.6, also"
echo "   its best on LFW), then by cosine at its LFW calibration (docs/recognition.md)"
$facekit verify --text --model faceapi "$samples/sample1.jpg" "$work/sample1-degraded.jpg"
$facekit verify --text --model faceapi "$samples/sample1.jpg" "$samples/sample4.jpg"
$facekit verify --text --model faceapi --metric cosine "$samples/sample1.jpg" "$samples/sample4.jpg"
