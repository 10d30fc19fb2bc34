"""Checks `data.points`, the points of a hand-placed 2-D set (engine.data.handpoints).

A hand set without `points` opens with its starter set; other datasets take none. Every point
is [x1, x2, label]: coordinates on the plane [-6, 6]², a class index below `data.classes`
(classification) or a value in [-1, 1] (regression); each error names the point by its index.
Coordinates and values are rounded to HAND_DECIMALS, so a spec and its URL agree exactly.
"""
from __future__ import annotations

import math

from engine.data.handpoints import (HAND_DECIMALS, HAND_EXTENT, HAND_VALUE_MAX,
                                    MAX_HAND_POINTS, MIN_HAND_POINTS, starter)
from engine.spec.text import shown

PATH = "data.points"
POINT_ERRORS = 5            # bad points named one by one before the rest are left unsaid


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _point_problem(item, regression: bool, classes: int) -> str | None:
    if not isinstance(item, (list, tuple)) or len(item) != 3 or not all(map(_number, item)):
        return f"{shown(item)} is not [x1, x2, {'value' if regression else 'class'}] numbers"
    x1, x2, label = item
    if max(abs(x1), abs(x2)) > HAND_EXTENT:
        return f"({x1:g}, {x2:g}) is off the plane (x1 and x2 from {-HAND_EXTENT:g} to " \
               f"{HAND_EXTENT:g})"
    if regression:
        if abs(label) > HAND_VALUE_MAX:
            return f"value {label:g} is outside {-HAND_VALUE_MAX:g} to {HAND_VALUE_MAX:g}"
    elif label != int(label) or not 0 <= label < classes:
        return f"class {label:g} is not one of 0 to {classes - 1} (data.classes is {classes})"
    return None


def check_points(raw, info, classes, add) -> tuple[tuple[float, float, float], ...]:
    """The points of a hand set, validated and rounded; `add(path, message)` records errors.
    `classes` is data.classes (None when it did not parse)."""
    if info is None or not info.hand:
        if raw:
            add(PATH, f"{info.name if info else 'this dataset'} draws its own data; only "
                      f"hand, hand-values take points")
        return ()
    regression = info.problem == "regression"
    if raw is None:
        return starter(regression)
    if not isinstance(raw, (list, tuple)):
        add(PATH, "must be a list of [x1, x2, label] points")
        return ()
    if not MIN_HAND_POINTS <= len(raw) <= MAX_HAND_POINTS:
        add(PATH, f"{len(raw)} points is outside {MIN_HAND_POINTS} to {MAX_HAND_POINTS}")
        return ()
    k = classes if isinstance(classes, int) else info.max_classes
    found = 0
    for i, item in enumerate(raw):
        problem = _point_problem(item, regression, k)
        if problem is not None:
            found += 1
            if found <= POINT_ERRORS:
                add(f"{PATH}[{i}]", problem)
    if found:
        return ()
    return tuple((round(float(x1), HAND_DECIMALS) + 0.0, round(float(x2), HAND_DECIMALS) + 0.0,
                  float(label) if not regression else round(float(label), HAND_DECIMALS) + 0.0)
                 for x1, x2, label in raw)
