"""Images as paths, bytes, data URIs and numpy arrays (BGR, as deepface and
cv2.imread use) give the same answers; bad input is one clear exception."""
import base64
import os
import pathlib
import shutil

import numpy as np
import pytest

import facekit
from conftest import read_png_rgb, sample


def embeddings(result):
    return [f["embedding"] for f in result]


def test_bgr_array_bytes_and_data_uri_give_the_paths_embedding(engine):
    want = embeddings(engine.represent(sample(1)))
    rgb = read_png_rgb(sample(1))
    assert embeddings(engine.represent(rgb[:, :, ::-1])) == want  # BGR, not contiguous
    assert embeddings(engine.represent(np.ascontiguousarray(rgb[:, :, ::-1]))) == want
    data = pathlib.Path(sample(1)).read_bytes()
    assert embeddings(engine.represent(data)) == want
    assert embeddings(engine.represent(bytearray(data))) == want
    assert embeddings(engine.represent("data:image/png;base64," + base64.b64encode(data).decode())) == want
    assert embeddings(engine.represent(pathlib.Path(sample(1)))) == want


def test_channel_order_is_bgr(engine):
    """An RGB array read as BGR swaps red and blue: other pixels, another embedding."""
    rgb = read_png_rgb(sample(1))
    assert embeddings(engine.represent(rgb)) != embeddings(engine.represent(rgb[:, :, ::-1]))


def test_grey_and_bgra_arrays(engine):
    bgr = np.ascontiguousarray(read_png_rgb(sample(1))[:, :, ::-1])
    bgra = np.concatenate([bgr, np.full(bgr.shape[:2] + (1,), 255, np.uint8)], axis=2)
    assert embeddings(engine.represent(bgra)) == embeddings(engine.represent(bgr))
    grey = bgr.mean(axis=2).astype(np.uint8)
    assert len(engine.represent(grey)) >= 1


def test_verify_mixes_kinds_of_image(engine):
    bgr = read_png_rgb(sample(2))[:, :, ::-1]
    by_path = engine.verify(sample(2), sample(4))
    mixed = engine.verify(bgr, pathlib.Path(sample(4)).read_bytes())
    assert (mixed["verified"], mixed["distance"]) == (by_path["verified"], by_path["distance"])


def test_missing_file_is_a_facekit_error_naming_it(engine, tmp_path):
    missing = str(tmp_path / "nobody.jpg")
    with pytest.raises(facekit.Error, match="nobody.jpg"):
        engine.verify(sample(1), missing)
    assert issubclass(facekit.Error, ValueError)  # deepface's `except ValueError` still catches it


def test_undecodable_bytes(engine):
    with pytest.raises(facekit.Error, match="<img_path>"):
        engine.represent(b"not an image at all")


def test_faceless_image_with_and_without_enforce_detection(engine):
    grey = np.full((96, 96, 3), 128, np.uint8)
    # Its own class, a facekit.Error (and so a ValueError) too.
    assert issubclass(facekit.NoFaceError, facekit.Error)
    with pytest.raises(facekit.NoFaceError, match=r"<img2_path>: no face found.*enforce_detection=False"):
        engine.verify(sample(1), grey)
    with pytest.raises(facekit.NoFaceError, match="no face found"):
        engine.represent(grey)
    with pytest.raises(facekit.NoFaceError, match="no face found"):
        engine.detect(grey)
    with pytest.raises(facekit.Error) as other:  # another bad input is not a NoFaceError
        engine.represent(b"not an image at all")
    assert not isinstance(other.value, facekit.NoFaceError)
    got = engine.verify(sample(1), grey, enforce_detection=False)
    assert got["face_found"] == {"img1": True, "img2": False}
    assert got["facial_areas"]["img2"]["w"] == 96
    assert engine.detect(grey, enforce_detection=False) == []
    assert engine.represent(grey, enforce_detection=False)[0]["face_found"] is False


def test_unknown_names_are_facekit_errors(engine):
    with pytest.raises(facekit.Error, match="recognizer 'VGG-Face': unknown"):
        engine.verify(sample(1), sample(2), model_name="VGG-Face")
    with pytest.raises(facekit.Error, match="nope"):
        engine.represent(sample(1), detector_backend="nope")
    with pytest.raises(facekit.Error, match="manhattan"):
        engine.verify(sample(1), sample(2), distance_metric="manhattan")
    with pytest.raises(facekit.Error, match="unknown action 'smile'"):
        engine.analyze(sample(1), actions=["smile"])


def test_bad_arguments_are_type_and_value_errors(engine):
    with pytest.raises(TypeError, match="img_path: an image is a path"):
        engine.represent(42)
    with pytest.raises(TypeError, match="uint8"):
        engine.represent(np.zeros((64, 64, 3), np.float32))
    with pytest.raises(ValueError, match="shape must be"):
        engine.represent(np.zeros((64, 64, 5), np.uint8))
    with pytest.raises(ValueError, match="empty"):
        engine.represent(np.zeros((0, 64, 3), np.uint8))
    with pytest.raises(ValueError, match="base64"):
        engine.represent("data:image/png;base64,@@@")
    with pytest.raises(ValueError, match="shape: 'pandas'"):
        engine.verify(sample(1), sample(2), shape="pandas")
    with pytest.raises(ValueError, match="skip"):
        engine.detect(sample(1), detector_backend="skip")
    with pytest.raises(TypeError):
        engine.verify(sample(1), sample(2), threshold="high")
    with pytest.raises(TypeError, match="db_path"):
        engine.find(sample(1), 3)
    with pytest.raises(facekit.Error, match="^threads: must not be negative"):  # the keyword, not the CLI flag
        facekit.Engine(threads=-1)


def test_a_path_that_is_not_utf8(engine, tmp_path):
    """os.fsdecode's str of a non-UTF-8 file name (surrogates) reaches the file; the result names it in
    json.h's way: readable UTF-8 under "image", the exact bytes in base64 under "image_bytes"."""
    name = os.fsdecode(b"caf\xe9.png")
    shutil.copy(sample(1), tmp_path / name)
    got = engine.represent(str(tmp_path / name), shape="facekit")
    assert got["image"].endswith("caf\ufffd.png")
    assert base64.b64decode(got["image_bytes"]) == os.fsencode(str(tmp_path / name))
    assert embeddings(engine.represent(str(tmp_path / name))) == embeddings(engine.represent(sample(1)))
    with pytest.raises(facekit.Error, match="missing-caf\ufffd.png"):
        engine.represent(str(tmp_path / os.fsdecode(b"missing-caf\xe9.png")))
