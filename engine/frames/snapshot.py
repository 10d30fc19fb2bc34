"""One frame of a session: the scalars every frame carries and the arrays of the views on
screen, made by the probes of the session's family (points, images and tables, sequences).
Arrays are plain numpy; docs/protocol.md describes each.
"""
from __future__ import annotations

from engine.frames import images, points, sequences
from engine.frames.common import Frame, finite
from engine.frames.report import report_and_warnings
from engine.training.session import Session


def snapshot(session: Session, focus: int | None = None, history_from: int = 0,
             include_data: bool = False, views: frozenset[str] = frozenset(),
             sample: int = 0, options: dict | None = None) -> Frame:
    """Everything one frame shows. 2-D playground: `focus` indexes the neurons array (inputs
    first). Other models: `views` names the probes on screen (engine.frames.images.VIEWS,
    engine.frames.sequences.VIEWS), `sample` the test example they show, `options` the sequence
    probes' recurrent `layer`, text `prompt` and `temperature`."""
    family = session.spec.data.family
    if family == "points":
        arrays = points.probe(session, focus, include_data)
        return Frame(_scalars(session, history_from), arrays)
    if family == "sequences":
        arrays, extra = sequences.probe(session, set(views), sample, **(options or {}))
        if "histograms" in views:
            images.histograms(session, arrays, extra)
    else:
        arrays, extra = images.probe(session, set(views), sample)
    return Frame({**_scalars(session, history_from), **extra}, arrays)


def _scalars(session: Session, history_from: int) -> dict:
    test_report, found = report_and_warnings(session)
    return {
        "status": session.status, "message": session.message,
        "epoch": session.epoch, "step": session.step, "device": str(session.device.type),
        "metrics": finite(session.metrics), "history": finite(session.history.since(history_from)),
        "best_epoch": session.best_epoch, "data_version": session.data_version,
        "lr": session.learning_rate(), "split": session.split, "report": test_report,
        "warnings": found,
    }
