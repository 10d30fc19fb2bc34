"""CSV files read with the standard library's csv module: a table of text cells, its header
(detected or made up), and the hand-placed points a CSV of two numeric columns and a label
becomes. Every refusal names the row, the column and the limit.

Points from a CSV: the two chosen columns are scaled linearly onto [-CSV_SPAN, CSV_SPAN] (the
plane the playground draws is [-6, 6]²; the scale is reported); the label column gives classes
(its distinct values, in sorted order, at most MAX_HAND_CLASSES) or, when it holds numbers that
are not a few whole ones, values scaled onto [-1, 1] (a regression set).
"""
from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass

from engine.data.handpoints import (HAND_DECIMALS, HAND_VALUE_MAX, MAX_HAND_CLASSES,
                                    MAX_HAND_POINTS, MIN_HAND_POINTS)

MAX_CSV_BYTES = 64 * 1024       # 500 rows of a few columns fit many times over
MAX_CSV_COLUMNS = 20
MAX_CSV_ROWS = MAX_HAND_POINTS  # points: what a hand-placed set holds
CSV_SPAN = 5.0                  # scaled columns span [-5, 5], inside the plane's [-6, 6]
DELIMITERS = ",;\t"
MAX_CELL_SHOWN = 20


class CsvError(ValueError):
    """A file refused: `path` names where (row, column), `message` says what and the limit."""

    def __init__(self, where: str, message: str):
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    first_row: int              # the file's line number of rows[0] (1 or 2: after a header)


def number(cell: str) -> float | None:
    try:
        value = float(cell)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def cell_text(text: str) -> str:
    return repr(text if len(text) <= MAX_CELL_SHOWN else text[:MAX_CELL_SHOWN - 1] + "…")


def read_table(data: bytes, max_rows: int = MAX_CSV_ROWS, max_columns: int = MAX_CSV_COLUMNS,
               max_bytes: int = MAX_CSV_BYTES) -> Table:
    """The cells of a CSV file (UTF-8, comma, semicolon or tab separated). The first row is a
    header when it has a cell that is not a number where the second row has one."""
    if len(data) > max_bytes:
        raise CsvError("file", f"{len(data):,} bytes is above the maximum {max_bytes:,}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvError("file", f"byte {exc.start + 1} is not UTF-8 text") from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=DELIMITERS)
    except csv.Error:
        dialect = csv.excel
    try:
        lines = [(n, [c.strip() for c in row]) for n, row in
                 enumerate(csv.reader(io.StringIO(text), dialect), start=1) if any(c.strip() for c in row)]
    except csv.Error as exc:
        raise CsvError("file", f"not a CSV file ({exc})") from None
    if not lines:
        raise CsvError("file", "is empty")
    width = len(lines[0][1])
    if width > max_columns:
        raise CsvError("row 1", f"{width} columns is above the maximum {max_columns}")
    for n, row in lines:
        if len(row) != width:
            raise CsvError(f"row {n}", f"has {len(row)} columns; the first row has {width}")
    first = lines[0][1]
    second = lines[1][1] if len(lines) > 1 else first
    header = any(number(a) is None and number(b) is not None for a, b in zip(first, second)) \
        or all(number(a) is None for a in first) and len(lines) > 1
    body = lines[1:] if header else lines
    if len(body) > max_rows:
        raise CsvError("file", f"{len(body)} rows is above the maximum {max_rows}")
    names = [c or f"column {i + 1}" for i, c in enumerate(first)] if header else \
        [f"column {i + 1}" for i in range(width)]
    if len(set(names)) != len(names):
        raise CsvError("row 1", "two columns have the same name")
    return Table(tuple(names), tuple(tuple(r) for _, r in body), body[0][0] if body else 2)


def column_index(table: Table, name: str | None, role: str) -> int:
    if name not in table.columns:
        raise CsvError(role, f"{cell_text(str(name))} is not a column (the file has "
                             f"{', '.join(table.columns)})")
    return table.columns.index(name)


def numbers_of(table: Table, j: int) -> list[float]:
    out = []
    for i, row in enumerate(table.rows):
        value = number(row[j])
        if value is None:
            raise CsvError(f"row {table.first_row + i}, column {table.columns[j]!r}",
                           f"{cell_text(row[j])} is not a number")
        out.append(value)
    return out


def _scale(values: list[float], span: float) -> tuple[list[float], float, float]:
    """Values mapped linearly onto [-span, span] (a constant column onto 0); (low, high)."""
    low, high = min(values), max(values)
    half = (high - low) / 2
    mid = (high + low) / 2
    return [round(0.0 if half == 0 else (v - mid) / half * span, HAND_DECIMALS) + 0.0
            for v in values], low, high


def _labels(table: Table, j: int) -> dict:
    cells = [row[j] for row in table.rows]
    for i, cell in enumerate(cells):
        if not cell:
            raise CsvError(f"row {table.first_row + i}, column {table.columns[j]!r}", "is empty")
    numbers = [number(c) for c in cells]
    distinct = set(cells)
    if all(v is not None for v in numbers) and (
            len(distinct) > MAX_HAND_CLASSES or any(v != int(v) for v in numbers)):
        values, low, high = _scale(numbers, HAND_VALUE_MAX)
        return {"dataset": "hand-values", "labels": values, "class_names": [],
                "value_range": [low, high]}
    if len(distinct) > MAX_HAND_CLASSES:
        raise CsvError(f"column {table.columns[j]!r}", f"{len(distinct)} different labels is "
                       f"above the maximum {MAX_HAND_CLASSES} classes")
    numeric = all(v is not None for v in numbers)
    names = sorted(distinct, key=(lambda c: float(c)) if numeric else str)
    index = {name: k for k, name in enumerate(names)}
    return {"dataset": "hand", "labels": [index[c] for c in cells], "class_names": names}


def points_from_csv(data: bytes, x1: str | None = None, x2: str | None = None,
                    label: str | None = None) -> dict:
    """Hand-placed points from a CSV: {dataset, points, classes, class_names, columns, chosen,
    ranges}. Columns default to the first two numeric ones and the last other one."""
    table = read_table(data)
    if len(table.columns) < 3:
        raise CsvError("file", f"has {len(table.columns)} columns; points need 3 (x1, x2 and "
                               f"a label or value)")
    if len(table.rows) < MIN_HAND_POINTS:
        raise CsvError("file", f"{len(table.rows)} rows is below the minimum {MIN_HAND_POINTS}")
    numeric = [c for j, c in enumerate(table.columns)
               if all(number(r[j]) is not None for r in table.rows)]
    x1 = x1 or (numeric[0] if numeric else table.columns[0])
    x2 = x2 or next((c for c in numeric if c != x1), table.columns[1])
    label = label or next(c for c in reversed(table.columns) if c not in (x1, x2))
    cols = [column_index(table, x1, "x1"), column_index(table, x2, "x2"), column_index(table, label, "label")]
    if len(set(cols)) < 3:
        raise CsvError("label", "x1, x2 and the label must be three different columns")
    a, a_low, a_high = _scale(numbers_of(table, cols[0]), CSV_SPAN)
    b, b_low, b_high = _scale(numbers_of(table, cols[1]), CSV_SPAN)
    labels = _labels(table, cols[2])
    k = max(2, len(labels["class_names"])) if labels["dataset"] == "hand" else 2
    return {"dataset": labels["dataset"], "classes": k, "class_names": labels["class_names"],
            "points": [[p, q, v] for p, q, v in zip(a, b, labels["labels"])],
            "columns": list(table.columns), "numeric": numeric,
            "chosen": {"x1": x1, "x2": x2, "label": label},
            "ranges": {"x1": [a_low, a_high], "x2": [b_low, b_high],
                       **({"value": labels["value_range"]} if "value_range" in labels else {})},
            "span": CSV_SPAN}
