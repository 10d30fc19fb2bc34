"""What may be stored, checked before any database is asked: the shape of an id, the length
of a title and description, a record's size, and who saves how much (`Quota`)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from server.errors import PayloadError, RecordError

ID_BYTES = 16                                   # 128 bits: token_urlsafe gives 22 characters
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{22}")   # the only shape an id has
MAX_TITLE = 200
MAX_DESCRIPTION = 5000
MAX_RECORD_BYTES = 25_000_000                   # a whole saved experiment (app config may lower)
TEXT_LIMITS = {"title": MAX_TITLE, "description": MAX_DESCRIPTION}
MEGABYTE = 1e6


def valid_id(text) -> bool:
    return isinstance(text, str) and ID_PATTERN.fullmatch(text) is not None


def check_text(field: str, value) -> str:
    """A title or description: text within its limit (stored verbatim; never markup)."""
    limit = TEXT_LIMITS[field]
    if not isinstance(value, str):
        raise RecordError(field, f"must be text of at most {limit} characters")
    if len(value) > limit:
        raise RecordError(field, f"{len(value)} characters is more than the {limit} allowed")
    if "\x00" in value:              # PostgreSQL's text cannot hold it; no title needs it
        raise RecordError(field, "must not contain the character U+0000")
    return value


def size_of(record: dict) -> int:
    return sum(len(v) for v in record.values() if isinstance(v, (bytes, str)))


def check_size(record: dict, max_bytes: int) -> int:
    """The record's size, once its texts and size are within their limits."""
    for field in TEXT_LIMITS:
        check_text(field, record[field])
    size = size_of(record)
    if size > max_bytes:
        raise RecordError("model", f"this experiment is {size / MEGABYTE:.1f} MB; at most "
                              f"{max_bytes / MEGABYTE:.1f} MB can be saved")
    return size


@dataclass(frozen=True)
class Quota:
    """Who saves, and how much each may keep: bytes per browser, per address, and the disk
    space that must stay free."""
    owner: str | None = None
    address: str | None = None
    per_owner: int | None = None
    per_address: int | None = None
    min_free_disk: int = 0

    def limits(self) -> list[tuple[str, str, int, str]]:
        """(column, key, bytes allowed, who) of each quota that applies to this save."""
        return [(column, key, limit, who) for column, key, limit, who in (
            ("owner", self.owner, self.per_owner, "this browser"),
            ("address", self.address, self.per_address, "this address"))
            if key is not None and limit is not None]


def over_quota(who: str, used: int, limit: int) -> PayloadError:
    return PayloadError("", f"save: {who} has saved {used / MEGABYTE:,.1f} MB of its "
                            f"{limit / MEGABYTE:,.0f} MB; delete some saved experiments "
                            f"(the Delete button on their pages) to save more")


DISK_FULL = "save: the server's disk is nearly full: saving is off for now"
