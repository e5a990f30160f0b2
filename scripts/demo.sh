#!/usr/bin/env bash
# The main job at this stage of facekit: the model zoo, installed and
# verified, and the runtime running real models beside the peer runtimes.
set -euo pipefail
./build/facekit models check
echo
./build/facekit bench --seconds 0.5 \
  --models mobilefacenet-tflite,mtcnn-onet,blazeface-short,human-faceres,human-gear,faceapi-recognition
