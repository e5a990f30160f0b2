"""facekit.Gallery: enroll a people folder or one image under a name, find,
list and remove people; the gallery is the one `facekit enroll` and
`facekit find` use."""
import pathlib
import shutil

import numpy as np
import pytest

import facekit
from conftest import cli_json, read_png_rgb, sample


@pytest.fixture
def people(tmp_path):
    folder = tmp_path / "people"
    for n, name in ((1, "Ann O'Brien"), (3, "Zoë"), (5, "Cy")):
        (folder / name).mkdir(parents=True)
        shutil.copy(sample(n), folder / name / "a.png")
    return folder


def test_enroll_a_people_folder_as_the_cli_does(engine, people, tmp_path):
    gallery = facekit.Gallery(str(tmp_path / "py.db"), engine=engine)
    got = gallery.enroll(str(people))
    cli = cli_json("enroll", str(people), "--db", str(tmp_path / "cli.db"))
    assert {k: got[k] for k in ("added", "faceless", "people", "vectors", "model")} == \
           {k: cli[k] for k in ("added", "faceless", "people", "vectors", "model")}
    assert got["added"] == 3 and got["notes"] == []
    assert gallery.people() == ["Ann O'Brien", "Cy", "Zoë"]
    assert len(gallery) == 3
    assert gallery.enroll(str(people))["unchanged"] == 3  # incremental
    # The CLI finds in the gallery Python wrote, as Python does.
    assert gallery.find(sample(3), shape="facekit") == cli_json("find", sample(3), "--db", str(tmp_path / "py.db"))


def test_enroll_one_image_under_a_name_find_and_remove(engine, tmp_path):
    gallery = facekit.Gallery(tmp_path / "g.db", engine=engine)
    assert gallery.people() == []
    assert gallery.enroll(sample(1), name="Ann")["added"] == 1
    assert gallery.enroll(read_png_rgb(sample(3))[:, :, ::-1], name="Zoë")["added"] == 1
    assert gallery.enroll(pathlib.Path(sample(5)).read_bytes(), name="Cy")["added"] == 1
    assert gallery.enroll(sample(1), name="Ann")["unchanged"] == 1
    assert gallery.people() == ["Ann", "Cy", "Zoë"]
    found = gallery.find(sample(3))
    assert any(rows and rows[0]["identity"] == "Zoë" for rows in found)
    gallery.remove("Zoë")
    assert gallery.people() == ["Ann", "Cy"]
    # The engine's cached search forgot the removed person.
    assert all(row["identity"] != "Zoë" for rows in gallery.find(sample(3)) for row in rows)
    with pytest.raises(facekit.Error, match="Zoë"):
        gallery.remove("Zoë")


def test_enroll_a_folder_under_one_name_notes_what_it_skips(engine, tmp_path):
    folder = tmp_path / "ann"
    folder.mkdir()
    shutil.copy(sample(1), folder / "a.png")
    (folder / "broken.jpg").write_bytes(b"not a jpeg")
    gallery = facekit.Gallery(tmp_path / "g.db", engine=engine)
    got = gallery.enroll(folder, name="Ann")
    assert (got["added"], got["unreadable"]) == (1, 1)
    assert len(got["notes"]) == 1 and "broken.jpg" in got["notes"][0]


def test_gallery_errors(engine, tmp_path):
    gallery = facekit.Gallery(tmp_path / "g.db", engine=engine)
    with pytest.raises(ValueError, match="people folder"):
        gallery.enroll(sample(1))  # one image needs a name
    with pytest.raises(facekit.NoFaceError, match="no face found"):
        gallery.enroll(np.full((80, 80, 3), 128, np.uint8), name="Nobody")
    with pytest.raises(facekit.Error, match="no such gallery"):
        facekit.Gallery(tmp_path / "absent.db", engine=engine).remove("Ann")
    with pytest.raises(facekit.Error, match="absent.db"):
        facekit.Gallery(tmp_path / "absent.db", engine=engine).find(sample(1))
    assert not (tmp_path / "absent.db").exists()



def test_repr_masks_a_uri_password(engine):
    for uri in ("postgresql://ann:s3cret@db.example/people", "postgres:///people?host=/run&password=s3cret"):
        text = repr(facekit.Gallery(uri, engine=engine))
        assert "s3cret" not in text and "***" in text, text
