"""Why an export failed."""
from __future__ import annotations


class ExportError(RuntimeError):
    """The session cannot be exported (or the export failed its own check)."""
