"""How a refusal shows what a client sent: short, and safe for anything JSON can hold.

An error message quotes the value at fault, but a client may send a megabyte of text, an
integer of 5,000 digits (`str()` of one raises past 4,300) or a list nested a thousand deep
(`repr()` of one recurses). `shown(value)` never recurses, never converts a big integer to
text and never returns more than about MAX_SHOWN characters.
"""
from __future__ import annotations

import math

MAX_SHOWN = 40              # characters of a client's text quoted in a message
MAX_INT_DIGITS = 20         # a longer integer is described by its length, not written out
MAX_LISTED = 5              # names listed from a client's list before "and N more"
_INT_LIMIT = 10 ** MAX_INT_DIGITS


def clip(text: str, limit: int = MAX_SHOWN) -> str:
    """`text` cut to `limit` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def shown(value) -> str:
    """A short rendering of any JSON value for an error message: 'abc', 3, 0.5, true, "a list
    of 3 items", "a 70-digit number"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if abs(value) >= _INT_LIMIT:
            # bit_length avoids str(): log10(2) * bits gives the digit count within one.
            digits = int(value.bit_length() * math.log10(2)) + 1
            return f"a {digits}-digit number"
        return str(value)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str):
        return repr(clip(value))
    if isinstance(value, (list, tuple)):
        return f"a list of {len(value)} item{'' if len(value) == 1 else 's'}"
    if isinstance(value, dict):
        return f"an object of {len(value)} field{'' if len(value) == 1 else 's'}"
    if isinstance(value, (bytes, bytearray)):
        return f"{len(value)} bytes of binary data"
    return f"a {type(value).__name__}"


def listed(names) -> str:
    """Up to MAX_LISTED of a client's names, each shown, then how many more."""
    names = list(names)
    text = ", ".join(shown(n) if not isinstance(n, str) else clip(n) for n in names[:MAX_LISTED])
    more = len(names) - MAX_LISTED
    return f"{text} and {more} more" if more > 0 else text
