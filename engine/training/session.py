"""The training state machine of one experiment: data, model, optimiser, counters and history.

No threads, sockets or clocks other than the caller's time budget: `train_batch`, `train_epoch`
and `train_for(seconds)` advance it; `engine.frames.snapshot` reads it. Deterministic under the
spec's seeds: the same spec gives the same data, starting weights and batch order.
"""
from __future__ import annotations

import math
import time
from contextlib import contextmanager

import torch

from torch import nn

from engine.nn.fastpath import grads as fast_grads
from engine.nn.build import build_model
from engine.nn.losses import correct, loss_fn
from engine.nn.mlp import MLP
from engine.spec.network import plan_layers
from engine.spec.plan import activations_per_example
from engine.spec.types import Spec
from engine.training.augment import add_noise, flip, rotate_scale, shift
from engine.training.divergence import Collapse
from engine.training.evaluation import Evaluation
from engine.training.history import History
from engine.training.optim import Optimizer, add_regularization, clip_grad_norm
from engine.training.pace import Pace
from engine.training.schedules import is_constant, lr_factor, steps_per_epoch
from engine.training.splits import SPLITS, load_splits

SEED_MULTIPLIER = 1103515245     # regenerate: next data seed from the last, reproducibly
SEED_INCREMENT = 12345
SEED_MODULUS = 2**31
EVAL_CHUNK = 2048                # examples per forward pass when evaluating large sets
EVAL_BUDGET = 2**24              # activation values one evaluation chunk may hold
EVAL_CHUNK_FLOPS = 50e6          # ...and of a sliced one: ~10-20 ms of one CPU core
EVAL_EVERY_S = 0.25              # image/table sessions: the test set at most this often
EVAL_SLICE_S = 0.01              # ...measured for this long at an epoch's end, then between batches
SHIFT_FRACTION = 8               # shift augmentation: up to 1/8 of the image width
PERCENT = 100
MODAL = (nn.Dropout, nn.modules.batchnorm._BatchNorm)   # behave differently in eval()


class Session:
    """One experiment being trained. Status: paused, playing, diverged or stopped."""

    def __init__(self, spec: Spec, device: torch.device | str = "cpu",
                 data_dir: str | None = None):
        self.device = torch.device(device)
        self.spec = spec
        self.data_dir = data_dir
        self.data_version = 0
        self._load_data()
        self.reset()

    # ---- set-up -------------------------------------------------------------------------
    def _load_data(self) -> None:
        """Draw or load the data, split and standardise it (engine.training.splits).
        Raises DataUnavailable when files (MNIST) are missing."""
        self.splits, self._background, self.split = load_splits(self.spec, self.device,
                                                                self.data_dir)
        self._x_all = torch.cat([s.x for s in self.splits.values()])
        self.data_version += 1

    def reset(self) -> None:
        """Fresh weights from the training seed (so a reset repeats the start), counters at 0."""
        self.model = build_model(self.spec).to(self.device)
        self.last_grads = None
        plans = plan_layers(self.spec)
        self._eval_chunk = max(1, min(EVAL_CHUNK, EVAL_BUDGET // activations_per_example(plans)))
        # A sliced evaluation's chunks are also small in compute: one runs between two batches.
        self._slice_chunk = max(1, min(self._eval_chunk, int(
            EVAL_CHUNK_FLOPS // max(1, sum(p.flops for p in plans)))))
        self.params = tuple(self.model.parameters_in_order() if isinstance(self.model, MLP)
                            else self.model.parameters())
        self._weights = [i for i, p in enumerate(self.params) if p.dim() > 1]   # not biases
        self._modal = any(isinstance(m, MODAL) for m in self.model.modules())
        # Dropout draws from torch's global generator, which every session (and thread)
        # shares: swap this session's state in around its forward pass, so the same spec
        # gives the same run whatever else the server trains.
        self._dropout = any(isinstance(m, nn.Dropout) for m in self.model.modules())
        self._rng = torch.cuda if self.device.type == "cuda" else torch
        if self._dropout:
            self._rng.manual_seed(self.spec.training.seed)
            self._rng_state = self._rng.get_rng_state()
        d = self.spec.data
        self._augment = d.augment == "shift"
        self._max_shift = max(1, self.splits["train"].x.shape[-1] // SHIFT_FRACTION)
        self._augmenting = self._augment or d.flip or bool(d.rotate or d.scale or d.input_noise)
        self.model.train()
        self._one = torch.ones((), device=self.device)
        # Only a step activation cuts the graph; asking autograd to fill zeros costs 3%.
        self._unused = any(l.activation == "step" for l in self.spec.model.layers)
        t = self.spec.training
        self.optimizer = Optimizer(t.optimizer, self.params, t.learning_rate, t.momentum,
                                   t.weight_decay)
        self._scheduled = not is_constant(t)
        self._loss = loss_fn(self.spec)                        # what every figure reports
        self._train_loss = loss_fn(self.spec, t.label_smoothing) if t.label_smoothing \
            else self._loss                                    # what the gradient follows
        self._forward = self.model.forward       # no module hooks: skip nn.Module.__call__
        self._shuffle = torch.Generator().manual_seed(t.seed)
        self._order: torch.Tensor | None = None
        self._cursor = 0
        self.pace = Pace()
        self.epoch = 0
        self.step = 0
        self.history = History()
        self.seconds = 0.0               # spent training since the reset (the history's clock)
        self.examples_seen = 0           # training examples trained on since the reset
        self._since: float | None = None
        self.status = "paused"
        self.message: str | None = None
        self.best_epoch: int | None = None
        self._best_val = math.inf
        self._best_state: dict | None = None
        self._stale_epochs = 0
        # Image and table sessions report the training loss and accuracy as running means over
        # the epoch's batches (pytorch/examples' way) and evaluate the test set at most every
        # EVAL_EVERY_S: a full pass per epoch would cost a third of the training time. The 2-D
        # playground evaluates everything every epoch, as TF Playground does (it is cheap).
        self._running = self.spec.data.family != "points"
        self._run_loss = torch.zeros((), device=self.device)
        self._run_correct = torch.zeros((), device=self.device)
        self._run_n = 0
        self._last_eval = -math.inf
        classify = self.spec.data.problem == "classification" and self.spec.model.task == "predict"
        self._collapse = Collapse(self.splits["train"].labels, self.params) if classify else None
        self._evaluation: Evaluation | None = None   # the test set, a chunk at a time
        self._held: dict | None = None     # an epoch's history entry, waiting for that evaluation
        self.needs_refresh = False         # metrics are of other weights (after early stopping)
        self.outputs: dict[str, torch.Tensor] = {}
        self.metrics = self.evaluate()
        self.weights_version = 0

    def restore(self, state_dict: dict, history: History, epoch: int, step: int,
                optimizer: dict | None = None) -> None:
        """Continue a saved run: its weights, loss history and counters, and the optimiser's
        moments when given (`{"t": n, "state": {key: [tensor per parameter]}}`); paused."""
        self.model.load_state_dict(state_dict)           # copies in place: aliases stay valid
        if optimizer:
            self.optimizer.t = optimizer["t"]
            self.optimizer.state = {k: [v.to(self.device) for v in vs]
                                    for k, vs in optimizer["state"].items()}
        self.history, self.epoch, self.step = history, epoch, step
        self.seconds = next((x for x in reversed(history.seconds) if x is not None), 0.0)
        self.examples_seen = next((x for x in reversed(history.examples) if x is not None),
                                  epoch * len(self.splits["train"]))
        self.status, self.message = "paused", None
        self.weights_version += 1
        self.metrics = self.evaluate()

    def configure(self, spec: Spec) -> bool:
        """Adopt a new spec. Live fields apply in place; anything structural rebuilds.
        Returns True when the session was rebuilt (reset)."""
        old = self.spec
        moved = spec.data.points != old.data.points      # hand-placed points changed
        if spec.with_data(points=()).structure() == old.with_data(points=()).structure():
            if moved:                       # the net goes on learning the new points
                self._swap_data(spec)
            self.spec = spec
            t = spec.training
            self.optimizer.lr, self.optimizer.momentum = t.learning_rate, t.momentum
            self.optimizer.weight_decay = t.weight_decay
            self._scheduled = not is_constant(t)
            if t.speed != old.training.speed:
                self.pace.restart()
            return False
        # The data's targets depend on the task too (an autoencoder's target is its input).
        self._rebuild(spec, reload=spec.data != old.data or spec.model.task != old.model.task)
        return True

    def _rebuild(self, spec: Spec, reload: bool) -> None:
        """Adopt `spec` with new data and/or weights; on failure (missing files) keep the old
        session whole rather than a new spec over old data."""
        old, self.spec = self.spec, spec
        try:
            if reload:
                self._load_data()
            self.reset()
        except Exception:
            self.spec = old
            if reload:
                self._load_data()
            self.reset()
            raise

    def reseed(self) -> Spec:
        """A new start: fresh weights from the next initialisation seed (as TF Playground's
        reset), the data as it is; the spec with that seed, so the run can be repeated."""
        seed = next_seed(self.spec.training.seed)
        self._rebuild(self.spec.with_training(seed=seed), reload=False)
        return self.spec

    def _swap_data(self, spec: Spec) -> None:
        """New data under the same network and training (new seed, points moved by hand)."""
        if self._evaluation is not None:       # of the old data: finish it on that
            self._finish_evaluation()
        self.spec = spec
        self._load_data()        # generated and hand sets only: nothing here can fail for files
        self._order, self._cursor = None, 0
        if self._collapse is not None:     # chance is the new training labels' commonest class
            self._collapse = Collapse(self.splits["train"].labels, self.params)
        self.metrics = self.evaluate()

    def regenerate(self) -> Spec:
        """New data from the next seed; the network and its training go on (as TF Playground)."""
        self._swap_data(self.spec.with_data(seed=next_seed(self.spec.data.seed)))
        return self.spec

    # ---- training -----------------------------------------------------------------------
    def train_batch(self) -> bool:
        """One optimiser step on the next mini-batch; True when it completed an epoch."""
        train = self.splits["train"]
        if self._order is None:
            self._order = torch.randperm(len(train), generator=self._shuffle).to(self.device)
            self._xs, self._ts = train.x[self._order], train.t[self._order]
        c, bs = self._cursor, self.spec.training.batch_size
        xb = self._xs[c: c + bs]
        if self._augmenting:
            xb = self._augmented(xb)
        if self._scheduled:
            self.optimizer.lr = self.learning_rate()
        if self._dropout:                  # this session's own stream of dropout masks
            self._rng.set_rng_state(self._rng_state)
            out = self._forward(xb)
            self._rng_state = self._rng.get_rng_state()
        else:
            out = self._forward(xb)
        tb = self._ts[c: c + bs]
        loss = self._train_loss(out, tb)
        if self._running:
            self._accumulate(loss if self._train_loss is self._loss else self._loss(out, tb),
                             out, tb)
        grads = fast_grads(loss, self.params, self._one, self._unused)
        self.last_grads = grads
        t = self.spec.training
        if t.regularization != "none" and t.regularization_rate:
            add_regularization([grads[i] for i in self._weights],
                               [self.optimizer.params[i] for i in self._weights],
                               t.regularization, t.regularization_rate)
        if t.clip:
            clip_grad_norm(grads, t.clip)
        self.optimizer.step(grads)
        self.step += 1
        self._cursor = c + bs
        if self._evaluation is not None and \
                self._evaluation.keep_pace(-(-(len(train) - self._cursor) // bs)):
            self._finish_evaluation()
        if self._cursor < len(train):
            return False
        self._order, self._cursor = None, 0
        self._end_epoch()
        return True

    def _augmented(self, xb: torch.Tensor) -> torch.Tensor:
        """The batch as this step trains on it: shifted, flipped, rotated and zoomed, noisy
        (engine.training.augment), each from the shuffle generator in this order."""
        d, gen = self.spec.data, self._shuffle
        if self._augment:
            xb = shift(xb, self._max_shift, gen, self._background)
        if d.flip:
            xb = flip(xb, gen)
        if d.rotate or d.scale:
            xb = rotate_scale(xb, d.rotate, d.scale / PERCENT, gen, self._background)
        if d.input_noise:
            xb = add_noise(xb, d.input_noise, gen)
        return xb

    def learning_rate(self) -> float:
        """The rate of the next step: the spec's learning rate times its schedule's factor
        (engine.training.schedules)."""
        t = self.spec.training
        if not self._scheduled:
            return t.learning_rate
        return t.learning_rate * lr_factor(t.schedule, self.step, self.steps_per_epoch(),
                                           t.schedule_epochs, t.gamma, t.warmup)

    def train_epoch(self) -> None:
        self.start_clock()
        try:
            while not self.train_batch():
                if self.status in ("stopped", "diverged"):   # early stopping ends it mid-epoch
                    break
        finally:
            self.stop_clock()

    def train_for(self, seconds: float, clock=time.perf_counter) -> int:
        """Train while playing, for about `seconds` and no faster than the spec's speed;
        returns the epochs completed."""
        now = clock()
        deadline, epochs = now + seconds, 0
        allowed = self.pace.allowed(self.spec.training.speed, self.steps_per_epoch(), self.step,
                                    now)
        self.start_clock()
        try:
            while self.status == "playing" and (allowed is None or allowed > 0):
                epochs += self.train_batch()
                if allowed is not None:
                    allowed -= 1
                if clock() >= deadline:
                    break
        finally:
            self.stop_clock()
        return epochs

    def steps_per_epoch(self) -> int:
        return steps_per_epoch(len(self.splits["train"]), self.spec.training.batch_size)

    # The history's `seconds` count time spent training, not time paused.
    def start_clock(self) -> None:
        self._since = time.perf_counter()

    def stop_clock(self) -> None:
        if self._since is not None:
            self.seconds += time.perf_counter() - self._since
            self._since = None

    def elapsed(self) -> float:
        """Seconds spent training since the reset, up to now."""
        running = 0.0 if self._since is None else time.perf_counter() - self._since
        return self.seconds + running

    def _accumulate(self, loss: torch.Tensor, out: torch.Tensor, t: torch.Tensor) -> None:
        n = out.shape[0]
        self._run_loss += loss.detach() * n
        ok = correct(self.spec, out.detach(), t)
        if ok is not None:          # a share of each example: per-step models judge T steps
            self._run_correct += ok.float().mean() * n
        self._run_n += n

    def _running_metrics(self) -> tuple[dict, dict | None]:
        """(metrics to show, metrics for this epoch's history entry). When the test set is due,
        it is measured on a copy of these weights for EVAL_SLICE_S, then between the next
        epoch's batches: the entry is None then, and the evaluation records it when done."""
        n, classify = max(self._run_n, 1), self.spec.model.task != "autoencoder"
        m = dict(self.metrics)
        m["train_loss"] = (self._run_loss / n).item()
        m["train_accuracy"] = (self._run_correct / n).item() if classify else None
        self._run_loss.zero_(), self._run_correct.zero_()
        self._run_n = 0
        now = time.perf_counter()
        if self.spec.training.early_stopping or now - self._last_eval >= EVAL_EVERY_S:
            self._last_eval = now
            self._evaluation = self._start_evaluation(("val", "test"), self.epoch + 1)
            if not self._evaluation.advance(EVAL_SLICE_S):
                self._held = m
                return m, None
            m.update(self._measured(("val", "test"), self._evaluation.outputs()))
            self._evaluation = None
            return m, m
        stale = ("val_loss", "val_accuracy", "test_loss", "test_accuracy")
        return m, {**m, **dict.fromkeys(stale)}

    def _start_evaluation(self, names: tuple[str, ...], epoch: int) -> Evaluation:
        return Evaluation(self.model, [self.splits[n].x for n in names], self._slice_chunk, epoch)

    def _finish_evaluation(self) -> None:
        """The running evaluation is done (finish it now if not): its figures are shown, and
        its epoch's history entry, held until now, is recorded."""
        ev, self._evaluation = self._evaluation, None
        while not ev.step(ev.left):
            pass
        measured = self._measured(("val", "test"), ev.outputs())
        self.metrics.update(measured)
        held, self._held = self._held, None
        if held is not None:
            self._record(ev.epoch, {**held, **measured}, ev.state())

    @contextmanager
    def eval_mode(self):
        """Dropout off and BatchNorm on its running statistics, for evaluation and probes."""
        if not self._modal:
            yield
            return
        self.model.eval()
        try:
            yield
        finally:
            self.model.train()

    def refresh(self) -> None:
        """Evaluate every split now (after a step, on pause, at the end of a headless run)."""
        if self._evaluation is not None:
            self._finish_evaluation()
        self.metrics = self.evaluate()
        self.needs_refresh = False

    def _end_epoch(self) -> None:
        if self._running:
            if self._evaluation is not None:         # kept pace: nothing, or little, is left
                self._finish_evaluation()
            self.end_epoch(*self._running_metrics())
        else:
            m = self.evaluate()
            self.end_epoch(m, m)

    def end_epoch(self, metrics: dict, entry: dict | None) -> None:
        """Count an epoch just trained, with its measured `metrics` (shown) and `entry` (its
        history point; None while its evaluation runs, which records it when done): history,
        divergence pause, early stopping. Called by this session, or by the batched group that
        trains it."""
        self.epoch += 1
        self.weights_version += 1
        self.metrics = metrics
        self.examples_seen += len(self.splits["train"])
        stamp = {"seconds": round(self.elapsed(), 4), "examples": self.examples_seen,
                 "lr": self.optimizer.lr}     # of this epoch, even when its entry waits
        if entry is not None:
            entry = {**entry, **stamp}
        elif self._held is not None:
            self._held = {**self._held, **stamp}
        finite = math.isfinite(metrics["train_loss"])
        collapsed = None if not finite or self._collapse is None else \
            self._collapse.update(metrics.get("train_accuracy"), self.params)
        if not finite or collapsed:
            if entry is None:
                entry, self._held, self._evaluation = self._held, None, None
            self.history.append(self.epoch, entry)
            self.status = "diverged"
            what = "loss diverged" if not finite else "training diverged"
            why = f" ({collapsed})" if collapsed else ""
            self.message = (f"{what} at epoch {self.epoch}{why}: lower the learning rate "
                            f"(now {self.spec.training.learning_rate:g}) and reset")
            return
        if entry is not None:
            self._record(self.epoch, entry)

    def _record(self, epoch: int, m: dict, state: dict | None = None) -> None:
        """Epoch `epoch`'s history entry; early stopping judges its validation loss (`state`:
        the weights it was measured on, when they are no longer the model's)."""
        self.history.append(epoch, m)
        if self.spec.training.early_stopping and m["val_loss"] is not None:
            self._early_stopping(m["val_loss"], epoch, state)

    def _early_stopping(self, val_loss: float, epoch: int, state: dict | None) -> None:
        if val_loss < self._best_val:
            self._best_val, self.best_epoch, self._stale_epochs = val_loss, epoch, 0
            state = self.model.state_dict() if state is None else state
            self._best_state = {k: v.detach().clone() for k, v in state.items()}
            return
        self._stale_epochs += 1
        patience = self.spec.training.early_stopping
        if self._stale_epochs >= patience:
            self.model.load_state_dict(self._best_state)   # weights and BatchNorm statistics
            if self._running:
                self.needs_refresh = True      # a whole pass: the caller does it (refresh)
            else:
                self.metrics = self.evaluate()
            self.status = "stopped"
            self._stale_epochs = 0
            self.message = (f"early stopping at epoch {epoch}: validation loss has not "
                            f"improved for {patience} epochs; restored the weights of epoch "
                            f"{self.best_epoch}")

    @torch.inference_mode()
    def evaluate(self, names: tuple[str, ...] = SPLITS) -> dict:
        """Loss (without the regularisation penalty, as TF Playground shows it) and accuracy of
        the named splits, in eval mode; the outputs stay in `self.outputs` for the views."""
        # All splits: one pass over their concatenation (chunked for large image sets).
        x = self._x_all if names == SPLITS else torch.cat([self.splits[n].x for n in names])
        with self.eval_mode():
            out_all = torch.cat([self.model(chunk) for chunk in x.split(self._eval_chunk)])
        return self._measured(names, out_all)

    @torch.inference_mode()
    def _measured(self, names: tuple[str, ...], out_all: torch.Tensor) -> dict:
        """Loss and accuracy of the named splits from their outputs, one after another in
        `out_all`; the outputs stay in `self.outputs` for the views."""
        m, start = {}, 0
        for name in names:
            s = self.splits[name]
            out, start = out_all[start: start + len(s)], start + len(s)
            self.outputs[name] = out
            if len(s) == 0:
                m[f"{name}_loss"] = m[f"{name}_accuracy"] = None
                continue
            m[f"{name}_loss"] = self._loss(out, s.t).item()
            ok = correct(self.spec, out, s.t)
            m[f"{name}_accuracy"] = None if ok is None else ok.float().mean().item()
        return m

    # ---- control ------------------------------------------------------------------------
    def play(self) -> None:
        if self.status == "diverged":
            raise RuntimeError(self.message)
        self.status, self.message = "playing", None
        self.pace.restart()

    def pause(self) -> None:
        if self.status == "playing":
            self.status = "paused"
            if self._running:
                self.refresh()

    def neuron_count(self) -> int:
        """Inputs and hidden units of a 2-D playground net (the neuron maps); 0 otherwise."""
        return sum(self.model.sizes[:-1]) if isinstance(self.model, MLP) else 0

    @torch.no_grad()
    def set_weight(self, layer: int, to: int, frm: int, value: float) -> None:
        """Edit one link: `frm` indexes layer `layer`'s inputs, `to` its units."""
        self.model.w[layer][frm, to] = value
        self._after_edit()

    @torch.no_grad()
    def set_bias(self, layer: int, unit: int, value: float) -> None:
        self.model.b[layer][unit] = value
        self._after_edit()

    def _after_edit(self) -> None:
        self.weights_version += 1
        self.metrics = self.evaluate()


def next_seed(seed: int) -> int:
    """The seed after `seed`, reproducibly (regenerate's data, reset's weights)."""
    return (seed * SEED_MULTIPLIER + SEED_INCREMENT) % SEED_MODULUS
