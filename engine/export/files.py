"""Export a session: its standalone script, weights, ONNX, spec and history, in one folder.

`export(session, directory)` writes model.py (engine.export.script), weights.safetensors (the
state_dict of `exported_module`), model.onnx (that module in eval mode, batch axis dynamic, by
torch.onnx's dynamo exporter), spec.json and history.csv (and text.txt, a person's own text),
then checks the script's network against the session's on a few examples. docs/protocol.md
lists what each file holds.
"""
from __future__ import annotations

import copy
import csv
import io
import json
import logging
import runpy
import shutil
import tempfile
import warnings
import zipfile
from importlib import metadata
from pathlib import Path

import torch
from torch import nn

from engine.export.errors import ExportError
from engine.export.script import script
from engine.export.stateful import has_recurrent, write_recurrent_onnx
from engine.data.uploaded import ARRAYS
from engine.export.templates import DATA, HISTORY, ONNX, REQUIREMENTS, SCRIPT, SPEC, TEXT, WEIGHTS
from engine.nn.mlp import MLP
from engine.training.history import History
from engine.training.session import Session


ONNX_OPSET = 18
CHECK_ROWS = 8                     # examples the export checks its own script on
CHECK_TOLERANCE = 1e-5
HISTORY_COLUMNS = History.KEYS


# ---- the public API -----------------------------------------------------------------------------

def export(session: Session, directory) -> dict[str, Path]:
    """Write every export file into `directory` (created if needed); returns name -> path."""
    from safetensors.torch import save_file
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    module = exported_module(session)
    paths = {name: out / name for name in (SCRIPT, WEIGHTS, ONNX, SPEC, HISTORY, REQUIREMENTS)}
    if session.spec.data.text:                  # a person's own text: model.py reads it
        paths[TEXT] = out / TEXT
        paths[TEXT].write_text(session.spec.data.text, encoding="utf-8", newline="")
    if session.spec.data.upload_info is not None:     # the data travels with the script
        paths[DATA] = out / DATA
        shutil.copyfile(Path(session.spec.data.upload_info.folder) / ARRAYS, paths[DATA])
    paths[SCRIPT].write_text(script(session), encoding="utf-8")
    paths[REQUIREMENTS].write_text(requirements(session), encoding="utf-8")
    state = {k: v.detach().cpu().contiguous() for k, v in module.state_dict().items()}
    save_file(state, str(paths[WEIGHTS]), metadata={"format": "pt"})
    example = sample_inputs(session, CHECK_ROWS)
    check_script(paths[SCRIPT], module, example)
    write_onnx(module, example, paths[ONNX])
    paths[SPEC].write_text(json.dumps(session.spec.to_dict(), indent=2) + "\n", encoding="utf-8")
    write_history(session.history, paths[HISTORY])
    return paths


# What model.py imports (by distribution name), beside the standard library.
SCRIPT_PACKAGES = ("numpy", "safetensors", "torch")
SKLEARN_SETS = ("digits", "iris")                 # read through scikit-learn's bundled copies


def requirements(session: Session) -> str:
    """requirements.txt for model.py: the exact versions this export was made with (a CUDA or
    CPU build's local label, "+cpu", dropped: pip finds it as the plain version)."""
    names = list(SCRIPT_PACKAGES)
    if session.spec.data.dataset in SKLEARN_SETS:
        names.append("scikit-learn")
    lines = [f"{name}=={metadata.version(name).split('+')[0]}" for name in sorted(names)]
    return ("# What model.py needs, at the versions it was exported with:\n"
            "#   python -m pip install -r requirements.txt\n" + "\n".join(lines) + "\n")


def zipped(session: Session, extra=None) -> bytes:
    """Every export file as one zip's bytes; `extra(directory)` may write more files there
    (the int8 model) and return {name: path}."""
    with tempfile.TemporaryDirectory() as tmp:
        files = export(session, tmp)
        if extra is not None:
            files.update(extra(tmp))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
            for path in files.values():
                z.write(path, Path(path).name)
    return buffer.getvalue()


def zip_name(session: Session) -> str:
    return f"nn-playground-{session.spec.data.dataset}-epoch{session.epoch}.zip"


def exported_module(session: Session) -> nn.Module:
    """The session's network as a CPU module in eval mode, detached from the session: the fast
    2-D MLP as `to_sequential()`'s nn.Sequential, every other net a copy of itself."""
    model = session.model
    module = model.to_sequential() if isinstance(model, MLP) else copy.deepcopy(model)
    return module.cpu().eval()


def sample_inputs(session: Session, n: int) -> torch.Tensor:
    """Up to `n` model inputs from the test split (the training split when it is empty)."""
    split = session.splits["test"] if len(session.splits["test"]) else session.splits["train"]
    return split.x[:n].detach().cpu().clone()


def write_onnx(module: nn.Module, example: torch.Tensor, path) -> None:
    """ONNX of `module` with a dynamic batch axis, by the dynamo exporter; a recurrent net
    with dynamic time and its state in and out (engine.export.stateful)."""
    if has_recurrent(module):
        write_recurrent_onnx(module, example, path, ONNX_OPSET)
        return
    batch = torch.export.Dim("batch")
    example = example if len(example) > 1 else torch.cat([example, example])  # 1 would pin it
    quiet = logging.getLogger("torch.onnx")
    level = quiet.level
    quiet.setLevel(logging.ERROR)        # it logs the optional torchvision ops it skips
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")     # PyTorch's own deprecations inside the exporter
            torch.onnx.export(module, (example,), str(path), dynamo=True, verbose=False,
                              input_names=["input"], output_names=["output"],
                              dynamic_shapes=({0: batch},), opset_version=ONNX_OPSET,
                              external_data=False)
    except Exception as exc:
        raise ExportError(f"ONNX export failed: {exc}") from exc
    finally:
        quiet.setLevel(level)


def write_history(history: History, path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(HISTORY_COLUMNS)
        for i in range(len(history)):
            w.writerow(["" if (v := getattr(history, k)[i]) is None else v
                        for k in HISTORY_COLUMNS])


def check_script(path: Path, module: nn.Module, example: torch.Tensor) -> None:
    """Build the script's network, load the module's weights into it (strictly) and compare
    outputs: a mismatch is a bug in this exporter, better found now than by the user."""
    with torch.random.fork_rng(devices=[]):      # the script's build seeds torch's global RNG
        ns = runpy.run_path(str(path), run_name="nn_playground_export_check")
        net = ns["build_model"]()
    try:
        net.load_state_dict(module.state_dict())
    except RuntimeError as exc:
        raise ExportError(f"the exported script's network does not fit the weights: {exc}")
    with torch.no_grad():
        got, want = net.eval()(example), module(example)
    if got.shape != want.shape or not torch.allclose(got, want, rtol=0, atol=CHECK_TOLERANCE):
        raise ExportError("the exported script's network disagrees with the session's")


# ---- lifting engine source --------------------------------------------------------------------


# ---- the script -------------------------------------------------------------------------------


# ---- fixed pieces of the script ---------------------------------------------------------------


