"""POST /api/uploads/points: a CSV becomes hand-placed points; every bad file is refused with
the row, column or limit named."""
import pytest

from engine.data.csvfiles import MAX_CSV_BYTES, MAX_CSV_COLUMNS, MAX_CSV_ROWS
from engine.spec.parse import parse_spec

URL = "/api/uploads/points"
IRIS_LIKE = (b"sepal_length,sepal_width,species\n5.1,3.5,setosa\n7.0,3.2,versicolor\n"
             b"6.3,3.3,virginica\n4.9,3.0,setosa\n")


@pytest.fixture
def http(app):
    return app.test_client()


def post(http, body: bytes, **args):
    return http.post(URL, data=body, query_string=args, content_type="text/csv")


def error(r) -> tuple[int, str, str]:
    e = r.get_json()["errors"][0]
    return r.status_code, e["path"], e["message"]


def test_a_csv_with_a_header_becomes_points_that_a_spec_takes(http):
    r = post(http, IRIS_LIKE)
    assert r.status_code == 200
    body = r.get_json()
    assert body["dataset"] == "hand" and body["classes"] == 3
    assert body["class_names"] == ["setosa", "versicolor", "virginica"]
    assert body["chosen"] == {"x1": "sepal_length", "x2": "sepal_width", "label": "species"}
    assert body["points"][1] == [5.0, -1.0, 1] and body["ranges"]["x1"] == [4.9, 7.0]
    spec = parse_spec({"data": {"dataset": body["dataset"], "classes": body["classes"],
                                "points": body["points"]}})
    assert len(spec.data.points) == 4


def test_columns_are_chosen_and_many_numeric_labels_make_values(http):
    body = post(http, b"1;2;0.5\n3;4;0.25\n5;6;-1\n", x1="column 2", x2="column 1").get_json()
    assert body["dataset"] == "hand-values" and body["chosen"]["label"] == "column 3"
    assert [p[0] for p in body["points"]] == [-5.0, 0.0, 5.0]
    assert [p[2] for p in body["points"]] == [1.0, 0.67, -1.0]


@pytest.mark.parametrize("body, args, status, path, words", [
    (b"a,b,c\n1,2,x\n3,y,z\n", {}, 400, "row 3, column 'b'", "'y' is not a number"),
    (b"a,b,c\n1,2,3\n4,5\n", {}, 400, "row 3", "has 2 columns; the first row has 3"),
    (b"a,b\n1,2\n3,4\n", {}, 400, "file", "points need 3"),
    (b"a,b,c\n1,2,3\n", {}, 400, "file", "1 rows is below the minimum 2"),
    (b"a,b,c\n" + b"1,2,a\n1,2,b\n1,2,c\n1,2,d\n1,2,e\n", {}, 400, "column 'c'",
     "5 different labels is above the maximum 4"),
    (b"a,b,c\n" + b"1,2,x\n" * (MAX_CSV_ROWS + 1), {}, 400, "file",
     f"{MAX_CSV_ROWS + 1} rows is above the maximum {MAX_CSV_ROWS}"),
    (b",".join([b"c"] * (MAX_CSV_COLUMNS + 1)) + b"\n", {}, 400, "row 1",
     f"{MAX_CSV_COLUMNS + 1} columns is above the maximum {MAX_CSV_COLUMNS}"),
    (b"1" * (MAX_CSV_BYTES + 1), {}, 413, "file", f"is above the maximum {MAX_CSV_BYTES:,}"),
    (b"\xff\xfe,1,2\n", {}, 400, "file", "is not UTF-8 text"),
    (b"", {}, 400, "file", "is empty"),
    (IRIS_LIKE, {"x1": "petal"}, 400, "x1", "'petal' is not a column"),
    (IRIS_LIKE, {"label": "sepal_length"}, 400, "label", "three different columns"),
    (IRIS_LIKE, {"x1": "species"}, 400, "row 2, column 'species'", "'setosa' is not a number"),
    (IRIS_LIKE, {"rows": "3"}, 400, "rows", "unknown argument"),
])
def test_bad_files_are_refused_naming_where(http, body, args, status, path, words):
    got = error(post(http, body, **args))
    assert got[0] == status and got[1] == path and words in got[2], got


def test_the_schema_states_the_caps(http):
    assert http.get("/api/schema").get_json()["limits"]["csv"] == {
        "max_bytes": MAX_CSV_BYTES, "max_rows": MAX_CSV_ROWS, "max_columns": MAX_CSV_COLUMNS}
