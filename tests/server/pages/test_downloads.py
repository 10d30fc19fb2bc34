"""Export and quantise a live session over HTTP, for its own browser only."""
import io
import zipfile

from serverkit import Browser
from storekit import BOTH_BACKENDS


EXPORT_FILES = {"model.py", "weights.safetensors", "model.onnx", "spec.json", "history.csv",
                "requirements.txt"}


def test_export_zip_holds_every_file(visitor, sock):
    sock.open(spec={"data": {"dataset": "xor"}})
    sock.call("step", unit="epoch")
    r = visitor.http.get(f"/api/sessions/{sock.session_id}/export.zip")
    assert r.status_code == 200 and r.mimetype == "application/zip"
    names = set(zipfile.ZipFile(io.BytesIO(r.data)).namelist())
    assert names == EXPORT_FILES
    history = zipfile.ZipFile(io.BytesIO(r.data)).read("history.csv").decode().splitlines()
    assert history[0].startswith("epoch,") and len(history) == 2


def test_another_browser_cannot_export_or_quantize(app, sock):
    sock.open(spec={"data": {"dataset": "xor"}})
    stranger = Browser(app)
    assert stranger.http.get(f"/api/sessions/{sock.session_id}/export.zip").status_code == 404
    assert stranger.http.post(f"/api/sessions/{sock.session_id}/quantize").status_code == 404


def test_quantize_reports_size_and_accuracy_and_joins_the_export(visitor, sock):
    sock.open(spec={"data": {"dataset": "digits"}})
    for _ in range(2):
        sock.call("step", unit="epoch")
    r = visitor.http.post(f"/api/sessions/{sock.session_id}/quantize")
    assert r.status_code == 200, r.get_json()
    q = r.get_json()
    assert q["int8_bytes"] < q["float_bytes"] and q["epoch"] == 2
    assert abs(q["int8_accuracy"] - q["float_accuracy"]) <= q["tolerance"]
    names = set(zipfile.ZipFile(io.BytesIO(
        visitor.http.get(f"/api/sessions/{sock.session_id}/export.zip").data)).namelist())
    assert {"model_int8.pt", "model_int8.json"} <= names
    sock.call("reset")                        # the int8 copy described the old weights
    names = set(zipfile.ZipFile(io.BytesIO(
        visitor.http.get(f"/api/sessions/{sock.session_id}/export.zip").data)).namelist())
    assert names == EXPORT_FILES


@BOTH_BACKENDS
def test_a_saved_experiment_exports_and_quantizes_its_saved_weights(visitor, sock):
    """/e/<id> has no live session: its record is restored server-side, exported as saved."""
    sock.open(spec={"data": {"dataset": "digits"}})
    for _ in range(2):
        sock.call("step", unit="epoch")
    exp_id = sock.call("save", title="digits")["id"]
    sock.call("step", unit="epoch")                      # the live run moves on; the save not
    stranger = Browser(visitor.app)                      # a shared link: anyone may export it
    r = stranger.http.get(f"/api/experiments/{exp_id}/export.zip")
    assert r.status_code == 200 and r.mimetype == "application/zip"
    z = zipfile.ZipFile(io.BytesIO(r.data))
    assert set(z.namelist()) == EXPORT_FILES
    assert len(z.read("history.csv").decode().splitlines()) == 1 + 2
    q = stranger.http.post(f"/api/experiments/{exp_id}/quantize")
    assert q.status_code == 200, q.get_json()
    assert q.get_json()["epoch"] == 2 and q.get_json()["int8_bytes"] < q.get_json()["float_bytes"]
    missing = stranger.http.get("/api/experiments/" + "A" * 22 + "/export.zip")
    assert missing.status_code == 404 and missing.get_json()["errors"][0]["path"] == "id"
