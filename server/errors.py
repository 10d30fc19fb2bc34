"""What a client is told when a request is refused: every refusal becomes `{"ok": false,
"errors": [{"path", "message"}]}`, naming the field at fault; anything else is a bug, logged
and answered "internal server error"."""
from __future__ import annotations

import logging

from engine.data.errors import DataError, DataUnavailable
from engine.export.errors import ExportError
from engine.export.quantize import QuantizeError
from engine.spec.types import SpecError

log = logging.getLogger(__name__)


class PayloadError(ValueError):
    """A bad field in a socket or HTTP payload: `errors` names it, as a SpecError's do."""

    def __init__(self, path: str, message: str):
        text = f"{path}: {message}" if path else message
        super().__init__(text)
        self.errors = [{"path": path, "message": text}]


class SlowDown(PayloadError):
    """A rate limit (server.limits): what was refused and how many seconds until it may be
    tried again, in the message and as `retry_after`."""

    def __init__(self, what: str, wait_s: int):
        wait_s = max(1, int(wait_s))
        super().__init__("", f"slow down: too much {what} from here; try again in {wait_s} s")
        self.errors[0]["retry_after"] = wait_s
        self.retry_after = wait_s


class Unavailable(RuntimeError):
    """The trainer holding a session could not answer: it stopped (its sessions went with it)
    or took longer than a call may."""


class Full(RuntimeError):
    """The server (or this browser, or this address) has as many sessions as it may."""


def errors_of(exc: Exception) -> list[dict] | None:
    """The client-facing errors of a refusal; None for a bug (logged, answered generically)."""
    if isinstance(exc, (SpecError, PayloadError)):
        return exc.errors
    if isinstance(exc, Full):
        return [{"path": "", "message": str(exc)}]
    if isinstance(exc, DataError):
        return [{"path": exc.path, "message": str(exc)}]
    if isinstance(exc, Unavailable):
        return [{"path": "session_id", "message": f"session_id: {exc}"}]
    if isinstance(exc, DataUnavailable):
        return [{"path": "data.dataset", "message": f"data.dataset: {exc}"}]
    if isinstance(exc, ExportError):
        return [{"path": "", "message": f"export: {exc}"}]
    if isinstance(exc, RecordError):
        return [{"path": exc.path, "message": f"{exc.path}: {exc.detail}"}]
    if isinstance(exc, QuantizeError):
        return [{"path": "", "message": f"quantize: {exc}"}]
    return None


def outcome(fn, *args) -> dict:
    """`{"ok": True, **fn(*args)}`, or the refusal as `{"ok": False, "errors": [...]}`."""
    try:
        return {"ok": True, **(fn(*args) or {})}
    except Exception as exc:
        errors = errors_of(exc)
        if errors is None:
            log.exception("%s failed", getattr(fn, "__name__", fn))
            errors = [{"path": "", "message": "internal server error"}]
        return {"ok": False, "errors": errors}


class RecordError(ValueError):
    """A record that may not be stored; `path` names the field at fault."""

    def __init__(self, path: str, detail: str):
        super().__init__(f"{path}: {detail}")
        self.path, self.detail = path, detail


class BadDatabase(ValueError):
    """A database target that cannot be used; the message says why (the caller names where
    the target came from: --db, NN_PLAYGROUND_DB, the app's DATABASE)."""
