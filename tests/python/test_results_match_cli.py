"""Each function on face-api's sample photos gives the values `facekit VERB --json`
prints for the same images: exactly in shape="facekit", and under deepface's
names and units (facekit/deepface.h) in the default shape."""
import math

import pytest

import facekit
from conftest import CROPS, cli_json, sample


def nearest(v):
    """v to the nearest integer, halves away from zero (C's lround; Python's round halves to even)."""
    return int(math.copysign(math.floor(abs(v) + 0.5), v))


def area(box, landmarks=None):
    """deepface's facial_area of a json.h box: integer pixels, eyes named after the person."""
    a = {"x": nearest(box["x"]), "y": nearest(box["y"]), "w": nearest(box["width"]), "h": nearest(box["height"])}
    eyes = landmarks and len(landmarks) == 5
    a["left_eye"] = [nearest(v) for v in landmarks[1]] if eyes else None
    a["right_eye"] = [nearest(v) for v in landmarks[0]] if eyes else None
    return a


def test_verify_equals_cli(engine):
    cli = cli_json("verify", sample(1), sample(2), "--if-no-face", "refuse")
    assert engine.verify(sample(1), sample(2), shape="facekit") == cli
    got = engine.verify(sample(1), sample(2))
    assert got["verified"] == cli["verified"]
    assert got["distance"] == cli["distance"]
    assert got["threshold"] == cli["threshold"]
    assert got["model"] == cli["model"] == "mobilefacenet"
    assert got["similarity_metric"] == cli["metric"]
    assert got["detector_backend"] == cli["detector"]
    assert got["facial_areas"] == {"img1": area(cli["faces"][0]["face"]["box"]),
                                   "img2": area(cli["faces"][1]["face"]["box"])}
    assert got["confidence"] == cli["confidence"]
    assert got["threshold_source"] == cli["threshold_source"]
    assert got["time"] > 0


def test_verify_options_reach_the_engine(engine):
    cli = cli_json("verify", sample(1), sample(3), "--metric", "euclidean_l2", "--threshold", "0.5",
                   "--detector", "ssd", "--if-no-face", "refuse")
    got = engine.verify(sample(1), sample(3), model_name="mobilefacenet", detector_backend="ssd",
                        distance_metric="euclidean_l2", threshold=0.5)
    assert (got["similarity_metric"], got["threshold"], got["detector_backend"]) == ("euclidean_l2", 0.5, "ssd")
    assert got["distance"] == cli["distance"]
    assert got["verified"] == cli["verified"] == (cli["distance"] <= 0.5)
    assert got["threshold_source"] == "user"


def test_represent_equals_cli(engine):
    cli = cli_json("represent", sample(3), "--if-no-face", "refuse")
    assert engine.represent(sample(3), shape="facekit") == cli
    got = engine.represent(sample(3))
    assert len(got) == len(cli["faces"]) >= 1
    for mine, theirs in zip(got, cli["faces"]):
        assert mine["embedding"] == theirs["embedding"]
        assert len(mine["embedding"]) == cli["dimension"]
        assert mine["facial_area"] == area(theirs["box"])
        assert mine["face_confidence"] == theirs["score"]


def test_represent_of_a_crop_without_detection(engine):
    cli = cli_json("represent", str(CROPS / "sample1-112.png"), "--no-detect")
    got = engine.represent(str(CROPS / "sample1-112.png"), detector_backend="skip")
    assert [f["embedding"] for f in got] == [f["embedding"] for f in cli["faces"]]
    assert got[0]["facial_area"] == {"x": 0, "y": 0, "w": 112, "h": 112, "left_eye": None, "right_eye": None}


def test_analyze_equals_cli(engine):
    cli = cli_json("analyze", sample(2), "--actions", "emotion,age,gender,race")
    assert engine.analyze(sample(2), shape="facekit") == cli
    got = engine.analyze(sample(2))
    assert len(got) == len(cli["faces"]) >= 1
    for mine, theirs in zip(got, cli["faces"]):
        assert mine["region"] == area(theirs["box"])
        assert mine["age"] == theirs["age"]["years"]
        male = theirs["gender"]["value"] == "male"
        assert mine["dominant_gender"] == ("Man" if male else "Woman")
        p_man = theirs["gender"]["probability"] if male else 1 - theirs["gender"]["probability"]
        assert mine["gender"]["Man"] == pytest.approx(100 * p_man)
        assert mine["gender"]["Woman"] + mine["gender"]["Man"] == pytest.approx(100)
        for attribute in ("emotion", "race"):
            assert mine[attribute] == pytest.approx({k: 100 * v for k, v in theirs[attribute].items()})
            assert mine["dominant_" + attribute] == max(theirs[attribute], key=theirs[attribute].get)


def test_detect_equals_cli(engine):
    cli = cli_json("detect", sample(4), "--json")
    assert engine.detect(sample(4), shape="facekit") == cli
    got = engine.detect(sample(4))
    assert len(got) == len(cli["faces"]) >= 1
    for mine, theirs in zip(got, cli["faces"]):
        assert mine["facial_area"] == area(theirs["box"], theirs["landmarks"])
        assert mine["confidence"] == theirs["score"]
        # The person's left eye is on the image's right.
        assert mine["facial_area"]["left_eye"][0] > mine["facial_area"]["right_eye"][0]


def test_find_equals_cli(engine, tmp_path):
    people = tmp_path / "people"
    for n in (1, 3, 5):
        (people / f"P{n}").mkdir(parents=True)
        (people / f"P{n}" / "a.png").write_bytes(open(sample(n), "rb").read())
    cli = cli_json("find", sample(3), "--db", str(people))
    assert engine.find(sample(3), str(people), shape="facekit") == cli
    got = engine.find(sample(3), people)  # os.PathLike too
    assert len(got) == len(cli["faces"])
    for rows, face in zip(got, cli["faces"]):
        within = [c for c in face["candidates"] if c["distance"] is not None and c["distance"] <= cli["threshold"]]
        assert [(r["identity"], r["distance"]) for r in rows] == [(c["identity"], c["distance"]) for c in within]
        for r in rows:
            assert r["threshold"] == cli["threshold"]
            assert (r["source_x"], r["source_w"]) == (nearest(face["face"]["box"]["x"]), nearest(face["face"]["box"]["width"]))
    # The enrolled photo's face (the one nearest its centre) is found as its own person.
    assert any(rows and rows[0]["identity"] == "P3" for rows in got)


def test_shared_engine_functions_equal_an_engines_methods(engine):
    # The shared engine runs on all cores: the same answer, to rounding.
    shared, own = facekit.verify(sample(1), sample(2)), engine.verify(sample(1), sample(2))
    assert shared["verified"] == own["verified"]
    assert shared["distance"] == pytest.approx(own["distance"], abs=1e-4)
    assert shared["facial_areas"] == own["facial_areas"]
