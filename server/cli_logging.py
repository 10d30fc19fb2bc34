"""What `nn-playground train` records of a run, epoch by epoch: a JSON-lines log (`--log`),
TensorBoard event files (`--tensorboard`) and the progress line on the terminal.

The event files are written here, without TensorBoard or TensorFlow installed: TFRecord framing
(length, masked CRC-32C, payload, masked CRC-32C) around `Event` protocol buffers, of which only
the fields TensorBoard's scalars need are encoded (wall_time, step, file_version, and a
summary of tagged simple_value floats). TensorBoard's own event reader reads them back (tests).
"""
from __future__ import annotations

import json
import math
import socket
import struct
import sys
import time
from pathlib import Path

from engine.frames.common import finite


PROGRESS_WIDTH = 24
# --- TFRecord and Event encoding -----------------------------------------------------------
CRC32C_POLY = 0x82F63B78          # Castagnoli, reflected
CRC_MASK_DELTA = 0xA282EAD8
FILE_VERSION = b"brain.Event:2"
WIRE_VARINT, WIRE_64, WIRE_BYTES, WIRE_32 = 0, 1, 2, 5
EVENT_WALL_TIME, EVENT_STEP, EVENT_FILE_VERSION, EVENT_SUMMARY = 1, 2, 3, 5
VALUE_TAG, VALUE_SIMPLE = 1, 2
SUMMARY_VALUE = 1


def _crc_table() -> list[int]:
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ CRC32C_POLY if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = _crc_table()


def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def _masked(data: bytes) -> bytes:
    crc = crc32c(data)
    return struct.pack("<I", (((crc >> 15) | (crc << 17)) + CRC_MASK_DELTA) & 0xFFFFFFFF)


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _key(field: int, wire: int) -> bytes:
    return _varint(field << 3 | wire)


def _bytes_field(field: int, data: bytes) -> bytes:
    return _key(field, WIRE_BYTES) + _varint(len(data)) + data


def event(wall_time: float, step: int = 0, scalars: dict | None = None,
          file_version: bytes | None = None) -> bytes:
    """One serialised Event: a file-version header, or tagged scalars at `step`."""
    out = _key(EVENT_WALL_TIME, WIRE_64) + struct.pack("<d", wall_time)
    out += _key(EVENT_STEP, WIRE_VARINT) + _varint(step)
    if file_version is not None:
        out += _bytes_field(EVENT_FILE_VERSION, file_version)
    if scalars:
        values = b"".join(_bytes_field(SUMMARY_VALUE, _bytes_field(VALUE_TAG, tag.encode()) +
                                       _key(VALUE_SIMPLE, WIRE_32) + struct.pack("<f", value))
                          for tag, value in scalars.items())
        out += _bytes_field(EVENT_SUMMARY, values)
    return out


def record(payload: bytes) -> bytes:
    """A TFRecord: length, its masked CRC, the payload, its masked CRC."""
    length = struct.pack("<Q", len(payload))
    return length + _masked(length) + payload + _masked(payload)


# --- what one epoch records ------------------------------------------------------------------

def epoch_record(session, report: dict | None) -> dict:
    """Every figure of the epoch just trained: counters, time, rate, metrics and the test
    report (JSON-ready; non-finite numbers are null)."""
    out = {"epoch": session.epoch, "step": session.step,
           "seconds": round(session.elapsed(), 4), "lr": session.optimizer.lr,
           **{k: v for k, v in session.metrics.items()}}
    if report:
        out["test_report"] = report
    return finite(out)


def scalars_of(entry: dict) -> dict[str, float]:
    """TensorBoard tags of an epoch record: loss/<split>, accuracy/<split>, lr, seconds, and
    the report's single figures under test/."""
    tags = {}
    for key, value in entry.items():
        if not isinstance(value, (int, float)) or isinstance(value, bool) or key in ("epoch",
                                                                                     "step"):
            continue
        split, _, metric = key.partition("_")
        tags[f"{metric}/{split}" if metric in ("loss", "accuracy") else key] = float(value)
    for key, value in (entry.get("test_report") or {}).items():
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value is not None:
            tags[f"test/{key}"] = float(value)
    return {tag: value for tag, value in tags.items() if math.isfinite(value)}


class JsonLog:
    """`--log FILE`: one JSON object per epoch, flushed as it is written."""

    def __init__(self, path):
        self.file = open(path, "w", encoding="utf-8")

    def write(self, entry: dict) -> None:
        self.file.write(json.dumps(entry) + "\n")
        self.file.flush()

    def close(self) -> None:
        self.file.close()


class TensorBoardLog:
    """`--tensorboard DIR`: an event file of the run's scalars, one point per epoch."""

    def __init__(self, directory, clock=time.time):
        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        self.clock = clock
        now = clock()
        self.path = folder / f"events.out.tfevents.{int(now)}.{socket.gethostname()}"
        self.file = open(self.path, "wb")
        self.file.write(record(event(now, 0, file_version=FILE_VERSION)))

    def write(self, entry: dict) -> None:
        self.file.write(record(event(self.clock(), entry["epoch"], scalars_of(entry))))
        self.file.flush()

    def close(self) -> None:
        self.file.close()


def _percent(value) -> str:
    return "–" if value is None else f"{value:.1%}"


def _loss(value) -> str:
    return "–" if value is None else f"{value:.4f}"


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def progress_line(epoch: int, total: int, metrics: dict, lr: float, elapsed: float) -> str:
    """`[####....] epoch 12/100  loss train 0.1234 test 0.2345  accuracy train 95.1% test
    93.2%  lr 0.003  ETA 0:00:41`: every figure labelled, accuracy only for classifiers."""
    done = int(PROGRESS_WIDTH * epoch / total)
    bar = "#" * done + "." * (PROGRESS_WIDTH - done)
    parts = [f"[{bar}] epoch {epoch}/{total}",
             f"loss train {_loss(metrics.get('train_loss'))} test {_loss(metrics.get('test_loss'))}"
             + (f" val {_loss(metrics['val_loss'])}" if metrics.get("val_loss") is not None
                else "")]
    if metrics.get("train_accuracy") is not None or metrics.get("test_accuracy") is not None:
        parts.append(f"accuracy train {_percent(metrics.get('train_accuracy'))} test "
                     f"{_percent(metrics.get('test_accuracy'))}")
    eta = elapsed / epoch * (total - epoch) if epoch else 0.0
    parts += [f"lr {lr:.3g}", f"ETA {_clock(eta)}"]
    return "  ".join(parts)


def show_progress(line: str, stream=None) -> None:
    stream = stream or sys.stderr
    print("\r" + line, end="", file=stream, flush=True)
