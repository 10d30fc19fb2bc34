"""Shared by the engine tests: train a spec for some epochs and evaluate it exactly."""

from engine.spec.parse import parse_spec
from engine.training.session import Session


def trained(raw: dict, epochs: int, data_dir=None) -> Session:
    s = Session(parse_spec(raw), data_dir=data_dir)
    for _ in range(epochs):
        s.train_epoch()
    s.refresh()                     # image/table/sequence sessions evaluate on a timer
    return s
