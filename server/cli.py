"""`nn-playground`: serve the app, normalise a spec, or train one headless.

`serve` runs the app; `spec URL_OR_FILE` prints the normalised spec (errors: exit status 2);
`train URL_OR_FILE --epochs N` trains headless and can export and quantise. URL_OR_FILE is a
JSON spec (a file or inline), a share URL (ours or TensorFlow Playground's) or a bare hash;
`nn-playground COMMAND --help` lists every option.
"""
from __future__ import annotations

import argparse
import json
import sys
import time

import torch

from engine.data.errors import DataUnavailable
from engine.export.errors import ExportError
from engine.export.files import export
from engine.export.quantize import QuantizeError, export_quantized, figures, quantize
from engine.frames.common import finite
from engine.spec.types import SpecError
from engine.training.devices import CHOICES, pick_device
from engine.training.session import Session
from server.specs import load


PROGRESS_WIDTH = 30
EXIT_BAD_SPEC = 2


def _load_or_exit(source: str):
    try:
        return load(source)
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


def cmd_serve(args) -> None:
    from server import create_app     # Flask and the app's parts: `spec` and `train` need none
    config = {"FPS": args.fps, "DEVICE": args.device, "DATA_DIR": args.data_dir,
              "WORKERS": args.workers, "PROXY_HOPS": args.proxy_hops}
    if args.db:
        config["DATABASE"] = args.db
    if args.redis:
        config["REDIS_URL"] = args.redis
    app = create_app(config)
    runner = app.extensions["runner"]
    trainers = f"trainer nodes on {args.redis}" if args.redis else \
        f"device {runner.device}, {len(runner.trainers)} trainer(s)"
    print(f"NN Playground on http://{args.host}:{args.port} "
          f"({trainers}, database {app.config['DATABASE']})", flush=True)
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


def _progress(epoch: int, total: int, metrics: dict) -> None:
    done = int(PROGRESS_WIDTH * epoch / total)
    bar = "#" * done + "." * (PROGRESS_WIDTH - done)
    print(f"\r[{bar}] epoch {epoch}/{total}  train {metrics['train_loss']:.4f}  "
          f"test {metrics['test_loss']:.4f}", end="", file=sys.stderr, flush=True)


def cmd_train(args) -> None:
    spec = _load_or_exit(args.source)
    torch.set_num_threads(args.threads)
    try:
        device = pick_device(args.device, heavy=spec.data.family == "images")
        session = Session(spec, device, args.data_dir)
    except (ValueError, DataUnavailable) as exc:
        print(exc, file=sys.stderr)
        sys.exit(EXIT_BAD_SPEC)
    start = time.perf_counter()
    every = max(1, args.epochs // 100)
    for _ in range(args.epochs):
        session.train_epoch()
        if not args.json and (session.epoch % every == 0 or session.epoch == args.epochs):
            _progress(session.epoch, args.epochs, session.metrics)
        if session.status in ("diverged", "stopped"):
            break
    seconds = time.perf_counter() - start
    session.refresh()                      # exact final figures on every split
    m = session.metrics
    result = {"train_loss": m["train_loss"], "test_loss": m["test_loss"],
              "epochs": session.epoch, "seconds": round(seconds, 3), "device": str(device),
              "status": session.status}
    if m["test_accuracy"] is not None:
        result["accuracy"] = m["test_accuracy"]
    if session.message:
        result["message"] = session.message
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
            print(f"{key:>12}: {value}")


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
    s.add_argument("--db", help="SQLite file (default instance/nn-playground.sqlite3)")
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
    s.add_argument("--json", action="store_true", help="print one JSON object of final metrics")
    s.add_argument("--device", choices=CHOICES, default="auto")
    s.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    s.add_argument("--data-dir", help="folder with MNIST / Fashion-MNIST IDX files")
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
