"""Checks `data.text`, a person's own text for the character model (engine.data.usertext).

Only the "text" dataset takes one; without it (or with "") the built-in rhymes are the text.
The text is cleaned (line ends, tabs) and then must hold MIN_TEXT_CHARS to MAX_TEXT_CHARS
characters, at most MAX_TEXT_BYTES in UTF-8 and MIN_VOCAB to MAX_VOCAB distinct characters,
and nothing unprintable: each error names the character by its position.
"""
from __future__ import annotations

from engine.data.usertext import (MAX_TEXT_BYTES, MAX_TEXT_CHARS, MAX_VOCAB, MIN_TEXT_CHARS,
                                  MIN_VOCAB,
                                  bad_characters, cleaned, vocabulary)
from engine.spec.text import shown

PATH = "data.text"


def _utf8_size(text: str, add) -> int | None:
    try:
        return len(text.encode("utf-8"))
    except UnicodeEncodeError as exc:          # a lone surrogate, which JSON can carry
        add(PATH, f"character {exc.start + 1:,} is U+{ord(text[exc.start]):04X}, half of a "
                  f"surrogate pair, which is not text; remove it")
        return None


def check_text(raw, info, add) -> str:
    """The cleaned text of a text set ("" for the built-in one); `add(path, message)` records
    errors."""
    if raw is None or raw == "":
        return ""
    if info is None or not info.vocab:
        add(PATH, f"{info.name if info else 'this dataset'} draws its own data; only the "
                  f"character model (text) takes a text")
        return ""
    if not isinstance(raw, str):
        add(PATH, f"{shown(raw)} is not text")
        return ""
    if len(raw) > MAX_TEXT_CHARS * 2:          # "\r\n" → "\n" at most halves it: no need to look
        add(PATH, f"{len(raw):,} characters is outside {MIN_TEXT_CHARS:,} to {MAX_TEXT_CHARS:,}")
        return ""
    text = cleaned(raw)
    size = _utf8_size(text, add)
    if size is None:
        return ""
    problems = []
    if not MIN_TEXT_CHARS <= len(text) <= MAX_TEXT_CHARS:
        problems.append(f"{len(text):,} characters is outside {MIN_TEXT_CHARS:,} to "
                        f"{MAX_TEXT_CHARS:,}")
    if size > MAX_TEXT_BYTES:
        problems.append(f"{size:,} bytes of UTF-8 is above the maximum {MAX_TEXT_BYTES:,}")
    bad, found = bad_characters(text)
    problems += bad
    if found > len(bad):
        problems.append(f"and {found - len(bad):,} more characters that are not printable text")
    distinct = len(vocabulary(text))
    if not found and not MIN_VOCAB <= distinct <= MAX_VOCAB:
        problems.append(f"{distinct} distinct characters is outside {MIN_VOCAB} to {MAX_VOCAB}"
                        + (" (lower-case the text, or remove rare characters)"
                           if distinct > MAX_VOCAB else ""))
    for message in problems:
        add(PATH, message)
    return "" if problems else text
