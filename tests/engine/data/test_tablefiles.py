"""A table of one's own from a CSV: columns chosen, classes from the labels, refusals that
name the row, the column and the limit."""
import numpy as np
import pytest

from engine.data.csvfiles import CsvError
from engine.data.tablefiles import MAX_TABLE_CLASSES, MAX_TABLE_COLUMNS, MAX_TABLE_ROWS, table_from_csv
from uploadkit import table_csv


def test_header_label_and_features_default_to_the_text_column_and_the_numbers():
    t = table_from_csv(table_csv(40))
    assert t.label == "kind" and t.features == ("width", "height", "weight")
    assert t.class_names == ("big", "small") and t.X.shape == (40, 3) and t.X.dtype == np.float32
    assert sorted(np.bincount(t.y)) == [20, 20]
    assert t.X[0, 0] == pytest.approx(float(table_csv(40).decode().splitlines()[1].split(",")[0]))


def test_chosen_label_and_features():
    t = table_from_csv(table_csv(40), label="kind", features=["height"])
    assert t.features == ("height",) and t.X.shape == (40, 1)


def test_without_header_the_last_column_is_the_label_and_numeric_labels_sort_as_numbers():
    rows = "".join(f"{i},{i * 2},{10 if i % 2 else 9}\n" for i in range(20)).encode()
    t = table_from_csv(rows)
    assert t.columns == ("column 1", "column 2", "column 3") and t.label == "column 3"
    assert t.class_names == ("9", "10") and t.features == ("column 1", "column 2")


@pytest.mark.parametrize("data, kwargs, where, words", [
    (table_csv(40), {"label": "colour"}, "label", "'colour' is not a column"),
    (table_csv(40), {"features": ["kind"]}, "features", "is the label"),
    (table_csv(40), {"features": ["nope"]}, "features", "'nope' is not a column"),
    (b"name,kind\na,x\nb,y\nc,x\nd,y\n", {}, "file", "no numeric column besides the label"),
    (b"a,kind\n1,x\n2,x\n3,x\n", {}, "column 'kind'", "at least 2 classes"),
    (b"a,kind\n1,x\n2,x\n3,y\n", {}, "column 'kind'", "class 'y' has 1 row"),
    (b"a,b,kind\n1,2,x\n1,oops,y\n3,4,x\n5,6,y\n", {"features": ["a", "b"]},
     "row 3, column 'b'", "'oops' is not a number"),
    (b"a,kind\n1,x\n2,\n3,y\n4,y\n", {}, "row 3, column 'kind'", "the label is empty"),
    (b"a,kind\n1,x\n2,y,3\n", {}, "row 3", "has 3 columns"),
])
def test_refusals_name_row_and_column(data, kwargs, where, words):
    with pytest.raises(CsvError) as caught:
        table_from_csv(data, **kwargs)
    assert caught.value.where == where and words in str(caught.value)


def test_caps_on_rows_columns_and_classes():
    wide = (",".join(f"c{i}" for i in range(MAX_TABLE_COLUMNS + 1)) + "\n").encode()
    with pytest.raises(CsvError, match=f"above the maximum {MAX_TABLE_COLUMNS}"):
        table_from_csv(wide + wide.replace(b"c", b"1"))
    long = b"a,kind\n" + b"1,x\n" * (MAX_TABLE_ROWS + 1)
    with pytest.raises(CsvError, match=f"above the maximum {MAX_TABLE_ROWS}"):
        table_from_csv(long)
    many = b"a,kind\n" + b"".join(b"1,k%d\n" % (i % (MAX_TABLE_CLASSES + 1)) for i in range(100))
    with pytest.raises(CsvError, match=f"above the maximum {MAX_TABLE_CLASSES} classes"):
        table_from_csv(many)
