"""`nn-playground`: serve the app, normalise a spec, or train one headless.

`serve` runs the app; `spec URL_OR_FILE` prints the normalised spec (errors: exit status 2);
`train URL_OR_FILE --epochs N` trains headless and can export and quantise. URL_OR_FILE is a
JSON spec (a file or inline), a share URL (ours or TensorFlow Playground's) or a bare hash;
`nn-playground COMMAND --help` lists every option.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import torch

from engine.data import imagezips
from engine.data.errors import DataUnavailable
from engine.export.errors import ExportError
from engine.export.files import export
from engine.export.quantize import QuantizeError, export_quantized, figures, quantize
from engine.frames.common import finite
from engine.frames.report import report
from engine.spec.types import SpecError
from engine.training.devices import CHOICES, pick_device
from engine.training.session import Session
from server.cli_logging import (JsonLog, TensorBoardLog, epoch_record, progress_line,
                                show_progress)
from server.cli_data import with_data
from server.config import DATABASE_ENV
from server.errors import BadDatabase
from server.specs import load, load_raw


EXIT_BAD_SPEC = 2
PROGRESS_UPDATES = 100          # at most this many progress lines a run
FINAL_KEYS = ("train_loss", "val_loss", "test_loss", "train_accuracy", "val_accuracy",
              "test_accuracy")


def _load_or_exit(source: str, read=load):
    try:
        return read(source)
    except SpecError as exc:
        for e in exc.errors:
            print(e["message"], file=sys.stderr)
        sys.exit(EXIT_BAD_SPEC)
    except OSError as exc:
        print(f"cannot read {source}: {exc.strerror or exc}", file=sys.stderr)
        sys.exit(EXIT_BAD_SPEC)


def _workers(text: str):
    if text == "auto":
        return text
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 64:
        raise argparse.ArgumentTypeError(f"{text!r} is not 'auto' or a number from 0 to 64")
    return value


def _device_or_exit(requested: str, heavy: bool = False):
    """The device, or a one-line error (exit status 2) when it cannot be had."""
    try:
        return pick_device(requested, heavy)
    except ValueError as exc:
        print(f"nn-playground: {exc}", file=sys.stderr)
        sys.exit(EXIT_BAD_SPEC)


def cmd_serve(args) -> None:
    _device_or_exit(args.device)
    from server import create_app     # Flask and the app's parts: `spec` and `train` need none
    config = {"FPS": args.fps, "DEVICE": args.device, "DATA_DIR": args.data_dir,
              "WORKERS": args.workers, "PROXY_HOPS": args.proxy_hops}
    if args.db:
        config["DATABASE"] = args.db
    if args.uploads:
        config["UPLOADS_DIR"] = args.uploads
    if args.redis:
        config["REDIS_URL"] = args.redis
    try:
        app = create_app(config)
    except BadDatabase as exc:
        print(f"nn-playground: {'--db' if args.db else DATABASE_ENV}: {exc}", file=sys.stderr)
        sys.exit(EXIT_BAD_SPEC)
    runner = app.extensions["runner"]
    trainers = f"trainer nodes on {args.redis}" if args.redis else \
        f"device {runner.device}, {len(runner.trainers)} trainer(s)"
    print(f"NN Playground on http://{args.host}:{args.port} "
          f"({trainers}, database {app.extensions['store'].describe()})", flush=True)
    serve(app, args.host, args.port, args.verbose)


def serve(app, host: str, port: int, verbose: bool = False) -> None:
    """Werkzeug's threaded server (Flask-SocketIO's threading mode) with Nagle's algorithm off:
    a frame is a few small WebSocket messages, and Nagle held each behind the client's delayed
    ACK, 40 ms a frame (sockets accepted on Linux inherit TCP_NODELAY from the listener)."""
    import logging
    import socket
    from werkzeug.serving import make_server
    if not verbose:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server(host, port, app, threaded=True)
    server.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        app.extensions["runner"].stop()


def cmd_trainer(args) -> None:
    """A trainer node of a cluster (server.cluster.node) until SIGTERM or Ctrl-C."""
    import logging
    import signal
    from server.cluster.node import TrainerNode
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    workers = 0 if args.workers == "auto" and _cores() == 1 else \
        (_cores() if args.workers == "auto" else args.workers)
    node = TrainerNode(args.redis, device=args.device, workers=workers, fps=args.fps,
                       data_dir=args.data_dir, capacity=args.capacity)
    signal.signal(signal.SIGTERM, lambda *_: node.stopped.set())
    print(f"trainer node {node.id} on {args.redis} ({node.device}, "
          f"{len(node.trainers)} trainer(s), capacity {node.capacity})", flush=True)
    try:
        node.run()
    except KeyboardInterrupt:
        pass
    finally:
        node.stop()


def _cores() -> int:
    import os
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def cmd_spec(args) -> None:
    print(json.dumps(_load_or_exit(args.source).to_dict(), indent=2))


def _final(session: Session, seconds: float) -> dict:
    """The run's final figures: every split's loss and accuracy, the counters and the test
    report; `accuracy` (the test accuracy) kept for scripts that read it."""
    m = session.metrics
    result = {k: m.get(k) for k in FINAL_KEYS if m.get(k) is not None or k.endswith("loss")}
    result.update({"epochs": session.epoch, "seconds": round(seconds, 3),
                   "device": str(session.device), "status": session.status})
    if m.get("test_accuracy") is not None:
        result["accuracy"] = m["test_accuracy"]
    test_report = report(session)
    if test_report:
        result["test_report"] = test_report
    result["split"] = session.split
    if session.message:
        result["message"] = session.message
    return result


def _loggers(args) -> list:
    try:
        return ([JsonLog(args.log)] if args.log else []) + (
            [TensorBoardLog(args.tensorboard)] if args.tensorboard else [])
    except OSError as exc:
        print(f"cannot write the log: {exc}", file=sys.stderr)
        sys.exit(EXIT_BAD_SPEC)


def _train(session: Session, args, loggers: list) -> float:
    """Train up to --epochs (stopping early when the run diverges or stops), logging every
    epoch; returns the seconds spent."""
    start = time.perf_counter()
    every = max(1, args.epochs // PROGRESS_UPDATES)
    for _ in range(args.epochs):
        session.train_epoch()
        if loggers:
            session.refresh()                 # every figure of every epoch, measured now
            entry = epoch_record(session, report(session))
            for log in loggers:
                log.write(entry)
        if not args.json and (session.epoch % every == 0 or session.epoch == args.epochs):
            show_progress(progress_line(session.epoch, args.epochs, session.metrics,
                                        session.optimizer.lr, time.perf_counter() - start))
        if session.status in ("diverged", "stopped"):
            break
    return time.perf_counter() - start


def cmd_train(args) -> None:
    if args.data:
        spec = with_data(_load_or_exit(args.source, load_raw), args.data, args)
    else:
        spec = _load_or_exit(args.source)
    torch.set_num_threads(args.threads)
    device = _device_or_exit(args.device, heavy=spec.data.family == "images")
    try:
        session = Session(spec, device, args.data_dir)
    except (ValueError, DataUnavailable) as exc:
        print(exc, file=sys.stderr)
        sys.exit(EXIT_BAD_SPEC)
    loggers = _loggers(args)
    try:
        seconds = _train(session, args, loggers)
    finally:
        for log in loggers:
            log.close()
    session.refresh()                      # exact final figures on every split
    result = _final(session, seconds)
    if args.quantize or args.export:       # int8 figures; the export files (and int8 model)
        try:
            quantized = quantize(session) if args.quantize else None
            if quantized is not None:
                result.update(figures(quantized))
            if args.export:
                files = export(session, args.export)
                if quantized is not None:
                    files.update(export_quantized(quantized, args.export))
                result["export"] = sorted(files)
        except (ExportError, QuantizeError, OSError) as exc:
            print(f"export failed: {exc}", file=sys.stderr)
            sys.exit(1)
    if args.json:
        print(json.dumps(finite(result)))
    else:
        print(file=sys.stderr)
        for key, value in result.items():
            if key not in ("test_report", "split"):
                print(f"{key:>14}: {value}")
        print(f"{'split':>14}: {session.split['text']}")


def _positive(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text} is not above 0")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="nn-playground", description=__doc__.split("\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__.split("\n", 1)[1])
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="run the web app")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=5000)
    s.add_argument("--db", metavar="FILE_OR_URL", help="where saved experiments are kept: a "
                   "SQLite file, or postgresql://USER[:PASSWORD]@HOST[:PORT]/DBNAME to share "
                   "them between web nodes (default: $NN_PLAYGROUND_DB, else "
                   "instance/nn-playground.sqlite3)")
    s.add_argument("--uploads", metavar="DIR", help="where uploaded tables and images are kept "
                   "(default: an uploads folder beside the SQLite file)")
    s.add_argument("--redis", metavar="URL", help="run as a web node of a cluster: sessions on "
                   "the trainer nodes of this Redis (redis://HOST:6379/0), sockets on its "
                   "message queue")
    s.add_argument("--fps", type=_positive, default=30, help="frames per second per client")
    s.add_argument("--device", choices=CHOICES, default="auto")
    s.add_argument("--workers", type=_workers, default="auto",
                   help="trainer processes: 'auto' = one per core, 0 = a thread in the server")
    s.add_argument("--data-dir", help="folder with MNIST / Fashion-MNIST IDX files "
                                      "(DIR/mnist/, DIR/fashion-mnist/)")
    s.add_argument("--proxy-hops", type=int, default=0, metavar="N",
                   help="reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host "
                        "to believe (the per-address limits and Secure cookies need them)")
    s.add_argument("--verbose", action="store_true", help="log every request")
    s.set_defaults(func=cmd_serve)
    s = sub.add_parser("trainer", help="run a trainer node of a cluster (see serve --redis)")
    s.add_argument("--redis", metavar="URL", required=True, help="the cluster's Redis")
    s.add_argument("--device", choices=CHOICES, default="auto")
    s.add_argument("--workers", type=_workers, default="auto",
                   help="trainer processes: 'auto' = one per core, 0 = a thread in this one")
    s.add_argument("--capacity", type=int, help="sessions this node takes at most "
                   "(default 50 per trainer)")
    s.add_argument("--fps", type=_positive, default=30, help="frames per second per client")
    s.add_argument("--data-dir", help="folder with MNIST / Fashion-MNIST IDX files")
    s.set_defaults(func=cmd_trainer)
    s = sub.add_parser("spec", help="print the normalised spec of a URL, hash or JSON file")
    s.add_argument("source", metavar="URL_OR_FILE")
    s.set_defaults(func=cmd_spec)
    s = sub.add_parser("train", help="train a spec headless")
    s.add_argument("source", metavar="URL_OR_FILE")
    s.add_argument("--epochs", type=int, required=True)
    s.add_argument("--json", action="store_true", help="print one JSON object of the final "
                   "figures (every split's loss and accuracy, the test report)")
    s.add_argument("--device", choices=CHOICES, default="auto")
    s.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                   help="torch CPU threads (default: every core, %(default)s here)")
    s.add_argument("--log", metavar="FILE", help="write every epoch's figures (all metrics, "
                   "learning rate, seconds, test report) as one JSON object per line")
    s.add_argument("--tensorboard", metavar="DIR", help="write TensorBoard event files of "
                   "every epoch's figures into DIR (tensorboard --logdir DIR)")
    s.add_argument("--data-dir", help="folder with MNIST / Fashion-MNIST IDX files")
    s.add_argument("--data", metavar="FILE", help="your own data, its kind detected: a .txt "
                   "file (UTF-8): the character model trains on its text; a .zip of class "
                   "folders of PNG/JPEG images ('Your images'); a CSV table with --label or "
                   "other than 3 columns ('Your table': numeric features and a label); a CSV of "
                   "3 columns, x1, x2 and a label or value ('Your points')")
    s.add_argument("--lowercase", action="store_true", help="with --data FILE.txt: lower-case "
                   "the text first (fewer distinct characters)")
    s.add_argument("--label", metavar="COLUMN", help="with --data: the table's label column "
                   "(default: the last column that is not all numbers, else the last column); "
                   "the other numeric columns are the features")
    s.add_argument("--image-size", type=int, default=imagezips.DEFAULT_IMAGE_SIZE,
                   choices=imagezips.IMAGE_SIZES, metavar="N", help="with a --data zip: images "
                   f"are resized to N×N, N one of {', '.join(map(str, imagezips.IMAGE_SIZES))} "
                   f"(default {imagezips.DEFAULT_IMAGE_SIZE})")
    s.add_argument("--colour", action="store_true", help="with a --data zip: keep colour "
                   "(3 channels; default grey)")
    s.add_argument("--export", metavar="DIR", help="after training, write model.py, "
                   "weights.safetensors, model.onnx, spec.json and history.csv into DIR")
    s.add_argument("--quantize", action="store_true", help="quantise the trained net to int8 "
                   "and report its size and accuracy (with --export: model_int8.pt too)")
    s.set_defaults(func=cmd_train)
    return p


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    if getattr(args, "epochs", 1) is not None and getattr(args, "epochs", 1) < 1:
        build_parser().error("--epochs must be at least 1")
    args.func(args)


if __name__ == "__main__":
    main()
