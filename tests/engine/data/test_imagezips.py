"""Images of one's own from a zip of class folders: resized, grey or colour, per-class
counts; path checks, zip-bomb checks and bad images named by their entry."""
import io
import struct
import zipfile

import numpy as np
import pytest

from engine.data import imagezips
from engine.data.imagezips import ZipError, images_from_zip
from uploadkit import png, shapes_zip, zip_of


def test_class_folders_become_classes_resized_grey_or_colour():
    up = images_from_zip(shapes_zip(5), 16)
    assert up.class_names == ("circle", "cross", "square") and up.counts == (5, 5, 5)
    assert up.X.shape == (15, 1, 16, 16) and up.X.dtype == np.uint8 and up.X.max() > 200
    colour = images_from_zip(shapes_zip(3, colour=True), 8, colour=True)
    assert colour.X.shape == (9, 3, 8, 8)
    assert colour.X[:, 0].max() > colour.X[:, 2].max()      # the ink is orange, not grey


def test_one_wrapping_folder_jpegs_and_skipped_system_files():
    data = shapes_zip(3, prefix="my set/", extra={
        "__MACOSX/my set/._circle0.png": b"junk", "my set/.DS_Store": b"junk",
        "my set/circle/extra.jpg": png("circle", 9, fmt="JPEG")})
    up = images_from_zip(data, 8)
    assert up.counts == (4, 3, 3)
    assert up.notes == ("Skipped 2 hidden or system files (__MACOSX/my set/._circle0.png, "
                        "my set/.DS_Store)",)


def _refused(data, **kwargs):
    with pytest.raises(ZipError) as caught:
        images_from_zip(data, **kwargs)
    return caught.value.where, str(caught.value)


@pytest.mark.parametrize("entries, where, words", [
    ({"../evil/a.png": png()}, "../evil/a.png", "leaves the zip's folder"),
    ({"/abs/a.png": png()}, "/abs/a.png", "leaves the zip's folder"),
    ({"a/b/c/d.png": png(), "x/y.png": png()}, "a/b/c/d.png", "nested too deep"),
    ({"loose.png": png(), "x/y.png": png()}, "loose.png", "not inside a class folder"),
    ({"circle/notes.txt": b"hi", "x/y.png": png()}, "circle/notes.txt", "not an image"),
    ({"circle/bad.png": b"not a png", "circle/b.png": png(), "x/a.png": png(),
      "x/b.png": png()}, "circle/bad.png", "not a readable PNG or JPEG"),
    ({"circle/a.png": png(), "circle/b.png": png()}, "file", "1 class folder"),
    ({"circle/a.png": png(), "circle/b.png": png(), "x/a.png": png()}, "x/", "has 1 image"),
])
def test_bad_entries_are_named(entries, where, words):
    got_where, text = _refused(zip_of(entries))
    assert got_where == where and words in text


def test_not_a_zip_and_a_size_not_offered():
    assert _refused(b"hello") == ("file", "file: is not a zip file")
    assert _refused(shapes_zip(2), size=65)[0] == "size"


def test_a_gif_is_refused_by_its_content_not_its_name():
    from PIL import Image
    gif = io.BytesIO()
    Image.new("L", (4, 4)).save(gif, "GIF")
    where, text = _refused(shapes_zip(2, extra={"circle/x.png": gif.getvalue()}))
    assert where == "circle/x.png" and "GIF" in text


def test_caps_on_files_and_bytes(monkeypatch):
    monkeypatch.setattr(imagezips, "MAX_ZIP_FILES", 5)
    assert "6 entries is above the maximum 5" in _refused(shapes_zip(2))[1]
    monkeypatch.setattr(imagezips, "MAX_ZIP_BYTES", 100)
    assert "bytes is above the maximum 100" in _refused(shapes_zip(2))[1]


def test_a_zip_bomb_is_refused_from_its_declared_sizes_without_unpacking():
    data = zip_of({"circle/a.png": b"\0" * (imagezips.MAX_UNPACKED_BYTES + 1)})
    where, text = _refused(data)
    assert where == "file" and f"above the maximum {imagezips.MAX_UNPACKED_BYTES:,}" in text


def test_an_entry_that_unpacks_past_its_declared_size_is_stopped():
    """A central directory that lies (says 10 bytes, holds a whole PNG) is read no further
    than it says: the entry is refused by name (zipfile stops at the declared size and its
    CRC then fails; the reader's own bound stands behind it)."""
    honest = shapes_zip(2)
    data = bytearray(honest)
    with zipfile.ZipFile(io.BytesIO(honest)) as z:
        info = z.getinfo("circle/circle0.png")
    at = bytes(data).find(b"circle/circle0.png", bytes(data).find(b"PK\x01\x02"))
    header = at - 46                                     # central directory header start
    assert data[header:header + 4] == b"PK\x01\x02" and info.file_size > 10
    struct.pack_into("<I", data, header + 24, 10)        # uncompressed size
    where, text = _refused(bytes(data))
    assert where == "circle/circle0.png"
    assert "damaged in the zip (Bad CRC-32" in text or "past its declared 10 bytes" in text


def test_more_values_than_a_session_holds_is_refused_before_decoding(monkeypatch):
    monkeypatch.setattr(imagezips, "MAX_UPLOAD_VALUES", 6 * 16 * 16 * 3 - 1)
    where, text = _refused(shapes_zip(2), size=16, colour=True)
    assert where == "size" and "choose a smaller size, or grey" in text
    assert images_from_zip(shapes_zip(2), size=16).X.shape == (6, 1, 16, 16)
