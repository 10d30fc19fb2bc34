"""Errors of the data layer, raised by the family modules and the registry."""


class DataUnavailable(Exception):
    """A dataset's files are not where the server looks; the message says what to put where."""
