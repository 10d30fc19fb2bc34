"""Errors of the data layer, raised by the family modules and the registry."""


class DataUnavailable(Exception):
    """A dataset's files are not where the server looks; the message says what to put where."""


class DataError(ValueError):
    """A spec field the data cannot satisfy (more samples than the files hold, windows longer
    than a part of the text): `path` names the field, the message the allowed range."""

    def __init__(self, path: str, detail: str):
        super().__init__(f"{path}: {detail}")
        self.path, self.detail = path, detail
