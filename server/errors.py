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
        super().__init__(f"{path}: {message}")
        self.errors = [{"path": path, "message": f"{path}: {message}"}]


class Full(RuntimeError):
    """The server (or this browser) has as many sessions as it may."""


def errors_of(exc: Exception) -> list[dict] | None:
    """The client-facing errors of a refusal; None for a bug (logged, answered generically)."""
    if isinstance(exc, (SpecError, PayloadError)):
        return exc.errors
    if isinstance(exc, Full):
        return [{"path": "", "message": str(exc)}]
    if isinstance(exc, DataError):
        return [{"path": exc.path, "message": str(exc)}]
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
