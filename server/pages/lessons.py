"""Lesson pages: `/lessons` lists them; `/lessons/<slug>` is the playground opened on that
lesson's experiment, with its explanation, what to try and links to its neighbours. The page
carries the lesson's share hash, so the playground starts exactly as that link would.
"""
from __future__ import annotations

from functools import cache

from flask import Blueprint, Flask, render_template

from engine.data.registry import DATASETS
from engine.spec.parse import parse_spec
from server.owners import claim_browser
from server.pages.lesson_catalog import Lesson, lesson, lessons
from server.specs import from_spec


bp = Blueprint("lessons", __name__)

FAMILY_NAMES = {"points": "2-D points", "images": "Images", "tabular": "Table",
                "sequences": "Sequences"}


@cache
def share_hash(slug: str, variant: int | None = None) -> str:
    """The hash of a lesson's spec (or of its variant `variant`), as the page's URL carries it."""
    item = lesson(slug)
    raw = item.spec if variant is None else item.variants[variant].spec
    return from_spec(parse_spec(raw)).hash


def card(item: Lesson, number: int) -> dict:
    """What the index and the neighbour links show of a lesson."""
    dataset = DATASETS[parse_spec(item.spec).data.dataset]
    return {"slug": item.slug, "title": item.title, "concept": item.concept, "number": number,
            "url": f"/lessons/{item.slug}", "dataset": dataset.label,
            "family": FAMILY_NAMES.get(dataset.family, dataset.family)}


@cache
def cards() -> tuple[dict, ...]:
    return tuple(card(item, i) for i, item in enumerate(lessons(), start=1))


@bp.get("/lessons")
def index():
    return render_template("lessons.html", lessons=cards())


@bp.get("/lessons/<slug>")
def open_lesson(slug: str):
    try:
        item = lesson(slug)
    except KeyError:
        return render_template("lessons.html", lessons=cards(), missing=slug), 404
    claim_browser()
    all_cards = cards()
    number = [c["slug"] for c in all_cards].index(slug) + 1
    page = {**all_cards[number - 1], "text": item.text, "tries": item.tries,
            "total": len(all_cards), "hash": share_hash(slug),
            "previous": all_cards[number - 2] if number > 1 else None,
            "next": all_cards[number] if number < len(all_cards) else None,
            "variants": [{"label": v.label, "hash": share_hash(slug, i)}
                         for i, v in enumerate(item.variants)]}
    return render_template("index.html", schema_url="/api/schema", lesson=page)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
