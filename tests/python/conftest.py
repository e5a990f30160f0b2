"""Shared fixtures of the Python module's tests (run by ctest as python_bindings).

The module comes from PYTHONPATH (build/python), the CLI whose --json output
the results are compared with from FACEKIT_CLI. The photos are face-api's
samples committed at 640 px (tests/golden/detect-faceapi), read by the
module from their paths and, as numpy arrays, by the small PNG decoder
below: independent of facekit's own image reader.
"""
import json
import os
import pathlib
import shutil
import struct
import subprocess
import zlib

import numpy as np
import pytest

import facekit

SOURCE = pathlib.Path(__file__).resolve().parents[2]
SAMPLES = SOURCE / "tests" / "golden" / "detect-faceapi"
CROPS = SOURCE / "tests" / "golden" / "embed"
CLI = os.environ.get("FACEKIT_CLI") or shutil.which("facekit")
# The default recognizer, detector and landmarker, and SSD and the attribute heads for analyze.
MODELS = ["mobilefacenet-tflite", "mtcnn-pnet", "mtcnn-rnet", "mtcnn-onet", "faceapi-landmark68",
          "faceapi-ssd-mobilenetv1", "faceapi-age-gender", "faceapi-expression", "human-gear", "human-emotion",
          "human-faceres"]


def pytest_sessionstart(session):
    if not CLI:
        pytest.exit("SKIP: no facekit CLI (set FACEKIT_CLI)", returncode=77)
    for model in MODELS:
        if subprocess.run([CLI, "models", "check", model], capture_output=True).returncode != 0:
            pytest.exit(f"SKIP: model {model} not installed (facekit models install)", returncode=77)


def sample(n):
    return str(SAMPLES / f"sample{n}.png")


def cli_json(*args):
    """The one object `facekit ARGS` prints as JSON (one image, one line for the per-image verbs), at one thread."""
    run = subprocess.run([CLI, *args, "--threads", "1"], capture_output=True, check=True)
    return json.loads(run.stdout)


def read_png_rgb(path):
    """An 8-bit RGB, non-interlaced PNG as an H×W×3 uint8 array (RGB), by zlib and the PNG filters."""
    data = pathlib.Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert (depth, colour, interlace) == (8, 2, 0), "only 8-bit RGB, not interlaced"
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * 3
    out = np.zeros((height, stride), dtype=np.int32)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = np.frombuffer(raw, dtype=np.uint8, count=stride, offset=y * (stride + 1) + 1).astype(np.int32)
        up = out[y - 1] if y else np.zeros(stride, dtype=np.int32)
        if kind == 0:
            out[y] = line
        elif kind == 2:
            out[y] = (line + up) & 255
        else:  # Sub, Average, Paeth depend on the pixel to the left: byte by byte
            row = np.zeros(stride, dtype=np.int32)
            for x in range(stride):
                left = row[x - 3] if x >= 3 else 0
                upleft = up[x - 3] if x >= 3 else 0
                if kind == 1:
                    pred = left
                elif kind == 3:
                    pred = (left + up[x]) // 2
                else:
                    p = left + up[x] - upleft
                    pa, pb, pc = abs(p - left), abs(p - up[x]), abs(p - upleft)
                    pred = left if pa <= pb and pa <= pc else up[x] if pb <= pc else upleft
                row[x] = (line[x] + pred) & 255
            out[y] = row
    return out.astype(np.uint8).reshape(height, width, 3)


@pytest.fixture
def engine():
    return facekit.Engine(threads=1)
