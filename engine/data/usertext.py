"""A person's own text for the character model ("text" with `data.text`): its limits, how it is
cleaned, where it breaks a rule, and its vocabulary.

The text travels in the spec, so saved experiments, share links and the exported model.py carry
it and nothing is stored on the server; these caps keep a spec bounded. Line ends become "\\n"
and tabs a space; any other control or format character is refused with its position. The
spec parser (engine.spec.usertext) reports the problems; `vocabulary` and `encoded` are lifted
into the exported model.py as they are. Pure Python and numpy.
"""
from __future__ import annotations

import unicodedata

import numpy as np

MAX_TEXT_CHARS = 20_000         # a few pages: enough to learn a style in minutes on a CPU
MAX_TEXT_BYTES = 40_000         # its UTF-8 size (accents take 2 bytes, most emoji 4)
MIN_TEXT_CHARS = 100            # each part of the split needs a window of seq_length + 1
MAX_VOCAB = 96                  # distinct characters: the printable ASCII set is 95 and "\n"
MIN_VOCAB = 3                   # the model's head is a softmax over the characters
MAX_URL_TEXT = 2_000            # a share link carries the text up to this many characters
TEXT_PROBLEMS = 5               # bad characters named one by one before the rest are counted

# What becomes of the whitespace a file may hold: Windows and old Mac line ends, and tabs.
MAPPED = (("\r\n", "\n"), ("\r", "\n"), ("\t", " "))
# Unicode categories refused: controls (but "\n"), format marks, surrogates, private use,
# unassigned code points, and the line and paragraph separators.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def cleaned(text: str) -> str:
    """`text` with its line ends made "\\n" and its tabs a space."""
    for old, new in MAPPED:
        text = text.replace(old, new)
    return text


def _where(text: str, i: int) -> str:
    line = text.count("\n", 0, i) + 1
    column = i - (text.rfind("\n", 0, i) + 1) + 1
    return f"character {i + 1:,} (line {line:,}, column {column:,})"


def bad_characters(text: str) -> tuple[list[str], int]:
    """Up to TEXT_PROBLEMS messages naming where `text` (cleaned) holds a character it may not,
    and how many such characters there are in all."""
    messages, found = [], 0
    for i, ch in enumerate(text):
        if ch == "\n" or unicodedata.category(ch) not in REFUSED_CATEGORIES:
            continue
        found += 1
        if found <= TEXT_PROBLEMS:
            what = unicodedata.name(ch, "a control character")
            messages.append(f"{_where(text, i)} is U+{ord(ch):04X} ({what.lower()}), which is "
                            f"not printable text; remove it")
    return messages, found


def vocabulary(text: str) -> tuple[str, ...]:
    """The distinct characters of `text` in code-point order: the model's classes."""
    return tuple(sorted(set(text)))


def encoded(text: str, vocab) -> np.ndarray:
    """Indices (int64) of `text`'s characters in `vocab`."""
    index = {ch: i for i, ch in enumerate(vocab)}
    return np.array([index[ch] for ch in text], dtype=np.int64)


class TextFileError(ValueError):
    """A text file that is not UTF-8, or too big; the message names the byte or the limit."""


def read_text_file(data: bytes) -> str:
    """The text of a .txt file's bytes: UTF-8, a leading byte-order mark dropped. Refuses more
    than MAX_TEXT_BYTES (the byte-order mark aside) and bytes that are not UTF-8."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    if len(data) > MAX_TEXT_BYTES:
        raise TextFileError(f"{len(data):,} bytes is above the maximum {MAX_TEXT_BYTES:,}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TextFileError(f"byte {exc.start + 1:,} is not UTF-8 text (0x{data[exc.start]:02X}); "
                            f"save the file as UTF-8") from None


def limits() -> dict:
    """The caps above, for /api/schema (the page states them)."""
    return {"min_chars": MIN_TEXT_CHARS, "max_chars": MAX_TEXT_CHARS, "max_bytes": MAX_TEXT_BYTES,
            "min_vocab": MIN_VOCAB, "max_vocab": MAX_VOCAB, "url_chars": MAX_URL_TEXT}
