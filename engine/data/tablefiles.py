"""A table of the user's own, from a CSV: numeric feature columns and a label column, read
into arrays (X float32 [rows, features] in the file's own units, y int64 class indices) with
class names from the labels. The header is detected as for points (engine.data.csvfiles);
every refusal names the row, the column and the limit.

The label column defaults to the last column that is not all numbers, else the last column;
the features default to every other numeric column. Standardising is the session's business,
as for iris.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.data.csvfiles import CsvError, cell_text, column_index, number, numbers_of, read_table

MAX_TABLE_BYTES = 1024 * 1024   # a spreadsheet of thousands of rows; parsed in the request
MAX_TABLE_ROWS = 10_000
MAX_TABLE_COLUMNS = 50
MAX_TABLE_CLASSES = 20          # the confusion matrix and the class colours stay readable
MIN_CLASS_ROWS = 2              # a class needs a row on each side of the split


@dataclass(frozen=True)
class TableUpload:
    X: np.ndarray                   # float32 [rows, features]
    y: np.ndarray                   # int64 [rows], indices into class_names
    features: tuple[str, ...]       # the feature columns, in the file's order
    label: str                      # the label column
    class_names: tuple[str, ...]
    columns: tuple[str, ...]        # every column of the file (for the page's picker)
    numeric: tuple[str, ...]        # the columns that hold numbers in every row


def _classes(cells: list[str]) -> list[str]:
    values = [number(c) for c in cells]
    if all(v is not None for v in values):
        return sorted(set(cells), key=float)
    return sorted(set(cells))


def _label_indices(table, j: int) -> tuple[np.ndarray, tuple[str, ...]]:
    cells = [row[j] for row in table.rows]
    where = f"column {table.columns[j]!r}"
    for i, cell in enumerate(cells):
        if not cell:
            raise CsvError(f"row {table.first_row + i}, {where}", "the label is empty")
    names = _classes(cells)
    if len(names) < 2:
        raise CsvError(where, f"every row has the label {cell_text(cells[0])}; a classifier "
                              f"needs at least 2 classes")
    if len(names) > MAX_TABLE_CLASSES:
        raise CsvError(where, f"{len(names)} different labels is above the maximum "
                              f"{MAX_TABLE_CLASSES} classes (is it a measurement? choose "
                              f"another label column)")
    index = {name: k for k, name in enumerate(names)}
    y = np.array([index[c] for c in cells], dtype=np.int64)
    sizes = np.bincount(y, minlength=len(names))
    if sizes.min() < MIN_CLASS_ROWS:
        k = int(sizes.argmin())
        raise CsvError(where, f"class {cell_text(names[k])} has {sizes[k]} row; each class "
                              f"needs at least {MIN_CLASS_ROWS} (one to train, one to test)")
    return y, tuple(names)


def table_from_csv(data: bytes, label: str | None = None,
                   features: list[str] | None = None) -> TableUpload:
    """The table in `data` as arrays. `label` names the label column and `features` the
    feature columns (defaults in the module docstring). CsvError names the row and column."""
    table = read_table(data, MAX_TABLE_ROWS, MAX_TABLE_COLUMNS, MAX_TABLE_BYTES)
    if len(table.columns) < 2:
        raise CsvError("file", f"has {len(table.columns)} column; a table needs at least 2 "
                               f"(a numeric feature and a label)")
    numeric = tuple(c for j, c in enumerate(table.columns)
                    if table.rows and all(number(r[j]) is not None for r in table.rows))
    if label is None:
        label = next((c for c in reversed(table.columns) if c not in numeric),
                     table.columns[-1])
    j_label = column_index(table, label, "label")
    if features is None:
        features = [c for c in numeric if c != label]
        if not features:
            raise CsvError("file", f"has no numeric column besides the label {label!r} (a "
                                   f"feature column holds a number in every row)")
    if not features:
        raise CsvError("features", "choose at least one feature column")
    js = sorted({column_index(table, name, "features") for name in features})
    if j_label in js:
        raise CsvError("features", f"{label!r} is the label; it cannot be a feature too")
    y, class_names = _label_indices(table, j_label)
    X = np.array([numbers_of(table, j) for j in js], dtype=np.float64).T
    if not np.isfinite(X.astype(np.float32)).all():
        raise CsvError("file", "a number is too large for 32-bit floats (above 3.4e38)")
    return TableUpload(X.astype(np.float32), y, tuple(table.columns[j] for j in js),
                       label, class_names, table.columns, numeric)
