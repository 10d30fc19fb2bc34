"""POST /api/uploads/table and /api/uploads/images: a person's table or zip of images is
parsed, kept as arrays under an unguessable id and named by a spec; every refusal names the
row, column, zip entry or limit; quotas per browser and in all; ids listed only to their owner."""
import numpy as np
import pytest

from engine.data import imagezips, tablefiles, uploaded
from serverkit import Browser
from uploadkit import png, shapes_zip, table_csv, zip_of

TABLE, IMAGES = "/api/uploads/table", "/api/uploads/images"


@pytest.fixture
def http(visitor):
    return visitor.http


def post(http, url, body: bytes, **args):
    return http.post(url, data=body, query_string=args, content_type="application/octet-stream")


def refusal(r) -> tuple[int, str, str]:
    e = r.get_json()["errors"][0]
    assert e["message"].startswith(f"{e['path']}: ")
    return r.status_code, e["path"], e["message"]


def test_a_table_is_kept_as_arrays_and_a_spec_names_it(app, http):
    r = post(http, TABLE, table_csv(40), label="kind", feature=["width", "height"])
    assert r.status_code == 200
    body = r.get_json()
    up = body["upload"]
    assert body["columns"] == ["width", "height", "weight", "kind"] and body["label"] == "kind"
    assert up["kind"] == "table" and up["shape"] == [2] and up["features"] == ["width", "height"]
    assert up["class_names"] == ["big", "small"] and up["counts"] == [20, 20]
    assert len(up["id"]) == 32 and "folder" not in up
    X, y = uploaded.read_arrays(app.extensions["uploads"].find(up["id"]).folder)
    assert X.shape == (40, 2) and sorted(np.bincount(y)) == [20, 20]
    spec = http.post("/api/spec", json={"spec": {"data": {"dataset": "upload-table",
                                                          "upload": up["id"]}}}).get_json()
    assert spec["spec"]["data"]["classes"] == 2 and f"upload={up['id']}" in spec["hash"]
    assert spec["upload"] == up and spec["plan"][0]["in_shape"] == [2]


def test_the_same_file_and_choices_are_the_same_upload_another_label_another(http):
    first = post(http, TABLE, table_csv(40)).get_json()["upload"]["id"]
    assert post(http, TABLE, table_csv(40)).get_json()["upload"]["id"] == first
    assert post(http, TABLE, table_csv(40), feature="width").get_json()["upload"]["id"] != first


def test_images_show_per_class_counts_and_notes(http):
    data = shapes_zip(4, extra={"__MACOSX/._a": b"x"})
    r = post(http, IMAGES, data, size="16", colour="true", name="shapes.zip")
    body = r.get_json()
    assert r.status_code == 200 and body["dataset"] == "upload-images"
    assert body["upload"]["shape"] == [3, 16, 16] and body["upload"]["counts"] == [4, 4, 4]
    assert body["notes"] == ["Skipped 1 hidden or system file (__MACOSX/._a)"]
    assert http.get("/api/uploads").get_json()["uploads"][0]["name"] == "shapes.zip"


@pytest.mark.parametrize("url, body, args, status, path, words", [
    (TABLE, table_csv(20), {"label": "colour"}, 400, "label", "'colour' is not a column"),
    (TABLE, table_csv(20), {"feature": "kind"}, 400, "features", "is the label"),
    (TABLE, b"name,kind\na,x\nb,y\n", {}, 400, "file", "no numeric column"),
    (TABLE, b"a,kind\n1,x\n2,x\n3,x\n", {}, 400, "column 'kind'", "at least 2 classes"),
    (TABLE, b"a,b,kind\n1,2,x\n1,oops,y\n3,4,x\n5,6,y\n", {"feature": ["a", "b"]}, 400, "row 3, column 'b'",
     "'oops' is not a number"),
    (TABLE, b"a,kind\n" + b"1,x\n2,y\n" * (tablefiles.MAX_TABLE_ROWS // 2 + 1), {}, 400, "file",
     f"above the maximum {tablefiles.MAX_TABLE_ROWS}"),
    (TABLE, (",".join(f"c{i}" for i in range(tablefiles.MAX_TABLE_COLUMNS + 1)) + "\n").encode() * 2,
     {}, 400, "row 1", f"above the maximum {tablefiles.MAX_TABLE_COLUMNS}"),
    (TABLE, table_csv(20), {"colour": "red"}, 400, "colour", "unknown argument"),
    (TABLE, b"x" * (tablefiles.MAX_TABLE_BYTES + 1), {}, 413, "file",
     f"above the maximum {tablefiles.MAX_TABLE_BYTES:,}"),
    (IMAGES, b"x" * (imagezips.MAX_ZIP_BYTES + 1), {}, 413, "file",
     f"above the maximum {imagezips.MAX_ZIP_BYTES:,}"),
    (IMAGES, b"not a zip", {}, 400, "file", "is not a zip file"),
    (IMAGES, shapes_zip(2), {"size": "65"}, 400, "size", "is not one of 8, 16, 28, 32, 64"),
    (IMAGES, shapes_zip(2), {"size": "big"}, 400, "size", "is not one of"),
    (IMAGES, shapes_zip(2), {"colour": "maybe"}, 400, "colour", "is not true or false"),
    (IMAGES, shapes_zip(2, extra={"../up/a.png": png()}), {}, 400, "../up/a.png",
     "leaves the zip's folder"),
    (IMAGES, shapes_zip(2, extra={"circle/deep/a.png": png()}), {}, 400, "circle/deep/a.png",
     "nested too deep"),
    (IMAGES, shapes_zip(2, extra={"circle/broken.png": b"\x89PNG broken"}), {}, 400,
     "circle/broken.png", "not a readable PNG or JPEG"),
    (IMAGES, zip_of({"circle/a.png": png(), "circle/b.png": png()}), {}, 400, "file",
     "1 class folder"),
    (IMAGES, zip_of({"a/x.png": b"\0" * (imagezips.MAX_UNPACKED_BYTES + 1)}), {}, 400, "file",
     f"unpacks to {imagezips.MAX_UNPACKED_BYTES + 1:,} bytes, above the maximum"),
])
def test_every_refusal_names_where_and_the_limit(http, url, body, args, status, path, words):
    code, where, message = refusal(post(http, url, body, **args))
    assert (code, where) == (status, path) and words in message, message
    assert http.get("/api/uploads").get_json()["uploads"] == []


def test_too_many_files_in_a_zip(http, monkeypatch):
    monkeypatch.setattr(imagezips, "MAX_ZIP_FILES", 5)
    code, where, message = refusal(post(http, IMAGES, shapes_zip(2)))
    assert (code, where) == (400, "file") and "6 entries is above the maximum 5" in message


def test_a_spec_naming_an_unknown_id_or_the_wrong_kind_is_refused(http):
    table = post(http, TABLE, table_csv(20)).get_json()["upload"]["id"]
    for data, words in (({"dataset": "upload-images", "upload": table},
                         "is a table upload; upload-images needs a images upload"),
                        ({"dataset": "upload-table", "upload": "0" * 32}, "no upload has this id"),
                        ({"dataset": "upload-table", "upload": "../x"}, "is not an upload id")):
        r = http.post("/api/spec", json={"spec": {"data": data}})
        assert r.status_code == 400
        assert [(e["path"], words in e["message"]) for e in r.get_json()["errors"]] == \
            [("data.upload", True)]


def test_another_browser_never_sees_the_listing_but_the_id_is_a_capability(app, http):
    table = post(http, TABLE, table_csv(20)).get_json()["upload"]["id"]
    other = Browser(app).http
    assert other.get("/api/uploads").get_json()["uploads"] == []
    assert [u["id"] for u in http.get("/api/uploads").get_json()["uploads"]] == [table]
    r = other.post("/api/spec", json={"spec": {"data": {"dataset": "upload-table",
                                                        "upload": table}}})
    assert r.status_code == 200          # a shared link (the id) opens the same data


def test_quotas_per_browser_in_count_and_bytes_and_in_all(make_app):
    app = make_app(MAX_UPLOADS_PER_BROWSER=2, UPLOAD_QUOTA_BROWSER_BYTES=10_000,
                   UPLOAD_QUOTA_TOTAL_BYTES=15_000)
    http = Browser(app).http
    for rows in (20, 22):
        assert post(http, TABLE, table_csv(rows)).status_code == 200
    code, where, message = refusal(post(http, TABLE, table_csv(24)))
    assert (code, where) == (429, "file") and "keeps 2 uploads, the maximum 2" in message
    big = post(Browser(app).http, TABLE, table_csv(600))        # 600 × 3 × 4 + 600 × 8 bytes
    assert refusal(big)[0] == 429 and "above the maximum 10,000" in refusal(big)[2]
    for _ in range(2):
        assert post(Browser(app).http, TABLE, table_csv(300)).status_code == 200
    code, _, message = refusal(post(Browser(app).http, TABLE, table_csv(300)))
    assert code == 429 and "the server's uploads are full" in message


def test_unsaved_uploads_are_dropped_after_the_keep_time_saved_ones_are_kept(make_app):
    app = make_app(UPLOAD_KEEP_S=100)
    store = app.extensions["uploads"]
    now = [1000.0]
    store.clock = lambda: now[0]
    http = Browser(app).http
    kept, dropped = (post(http, TABLE, table_csv(n)).get_json()["upload"]["id"] for n in (20, 22))
    store.pin(kept)
    now[0] += 101
    post(http, TABLE, table_csv(24))                     # an upload sweeps
    assert store.find(kept) is not None and store.find(dropped) is None


def test_the_rate_limit_refuses_a_flood(make_app):
    from server.limits import Rate
    app = make_app(LIMIT_RATES={"upload": {"browser": Rate(2, 0.001, "uploading files"),
                                           "address": Rate(100, 1, "uploading files")}})
    http = Browser(app).http
    codes = [post(http, TABLE, table_csv(20)).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_a_zip_over_the_apps_1_mb_body_cap_but_under_its_own_is_read(http):
    """Request bodies are capped at 1 MB app-wide; an image zip may be up to MAX_ZIP_BYTES."""
    import io
    from PIL import Image
    rng = np.random.default_rng(0)

    def noise_png() -> bytes:
        out = io.BytesIO()
        Image.fromarray(rng.integers(0, 256, (400, 400), dtype=np.uint8)).save(out, "PNG")
        return out.getvalue()
    data = zip_of({f"{c}/{k}.png": noise_png() for c in ("a", "b") for k in range(4)})
    assert 1_000_000 < len(data) < imagezips.MAX_ZIP_BYTES
    r = post(http, IMAGES, data, size="8")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["upload"]["counts"] == [4, 4]
