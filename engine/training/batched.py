"""Trains 2-D playground sessions that share an architecture as one batched model.

A group stacks its members' parameters and runs each op once for all (`baddbmm`, a backward
pass written out by hand); each member trains as it would alone, to float rounding.
`batch_key(session)` says who may share; `BatchedGroup(sessions).train_for(seconds)` trains
them in lockstep; `release()` gives each its own storage back (docs/internals.md).
"""
from __future__ import annotations

import time
import weakref
from typing import Hashable, Sequence

import torch
import torch.nn.functional as F

from engine.nn.activations import ACTIVATIONS
from engine.nn.losses import correct, head
from engine.nn.mlp import MLP
from engine.training.optim import (STATE_KEYS, StackedOptimizer, column, stacked_clip_grad_norm,
                                   stacked_regularization)
from engine.training.pace import Pace
from engine.training.schedules import is_constant, steps_per_epoch
from engine.training.session import Session
from engine.training.splits import SPLITS


METRIC_KEYS = tuple((f"{n}_loss", f"{n}_accuracy") for n in SPLITS)
# Which group trains a session: a session in two live groups would be trained by both. (Weak
# both ways: a group dropped without release() lets its members join another.)
_OWNER: weakref.WeakKeyDictionary[Session, weakref.ref] = weakref.WeakKeyDictionary()


def _owner(session: Session) -> BatchedGroup | None:
    ref = _OWNER.get(session)
    return None if ref is None else ref()


def batch_key(session: Session) -> Hashable | None:
    """Sessions with equal keys can train as one group: a 2-D playground net (dense layers)
    with the same layer sizes and activations, loss head, problem, optimiser, batch size and
    split sizes and speed, on the same device. Learning rate, momentum, regularisation,
    clipping, early stopping, seeds, data and features may differ. None for every other model (images, tables,
    sequences: their layers, augmentation and running metrics are not stacked), and for a
    learning-rate schedule or warm-up, AdamW or label smoothing, which train alone."""
    spec, model = session.spec, session.model
    if not isinstance(model, MLP) or spec.data.family != "points":
        return None
    t = spec.training
    if not is_constant(t) or t.optimizer == "adamw" or t.label_smoothing:
        return None
    return (session.device, tuple(model.sizes), tuple(model.activations), head(spec),
            spec.data.problem, t.optimizer, t.batch_size, t.speed,
            tuple(len(session.splits[name]) for name in SPLITS))


def _flip(t: torch.Tensor) -> torch.Tensor:
    """Inputs and float targets between examples-first ([.., N, K], a session's) and
    examples-last ([.., K, N], the group's) layouts; class indices ([.., N]) stay."""
    return t.mT if t.is_floating_point() else t


def _take(t: torch.Tensor, order: torch.Tensor) -> torch.Tensor:
    """Each member's examples ([S, C, N] or [S, N]) in its own order ([S, N]): one gather."""
    index = order if t.dim() == 2 else order[:, None].expand(-1, t.shape[1], -1)
    return t.gather(-1, index)


def _example_losses(kind: str, out: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """[S, N] loss of each example (a session's loss is their mean over a split), from
    outputs [S, K, N] and targets in the session's layout ([S, N, K] or [S, N])."""
    if kind == "ce":
        return F.cross_entropy(out, t, reduction="none")
    if kind == "mse":
        return 0.5 * (out.mT - t).square().mean(-1)
    return F.binary_cross_entropy_with_logits(out.mT, t, reduction="none").mean(-1)


def _loss_grad(kind: str, out: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """d(mean loss of each member's batch) / d out, as autograd's loss backward computes it;
    out [S, K, B], targets examples-last."""
    k, n = out.shape[1:]
    if kind == "mse":                  # ½·mean((out − t)²): 2/(nk) · (out − t) · ½
        return (out - t).mul_(1.0 / (n * k))
    if kind == "bce":
        return (torch.sigmoid(out) - t).div_(n * k)
    return (torch.softmax(out, 1) - F.one_hot(t, k).mT).div_(n)


class BatchedGroup:
    """Sessions with one batch_key, trained as one model. See the module docstring."""

    def __init__(self, sessions: Sequence[Session]) -> None:
        members = tuple(sessions)
        keys = {batch_key(s) for s in members}
        if not members or None in keys or len(keys) > 1:
            raise ValueError("a group needs sessions with one batch_key that is not None")
        if len(set(map(id, members))) < len(members) or any(map(_owner, members)):
            raise ValueError("a session can be in one group once: release its group first")
        self.members = members
        first = members[0]
        self._kind = head(first.spec)
        self._batch = first.spec.training.batch_size
        self._n = len(first.splits["train"])
        self._spec = first.spec                 # what all members share (see batch_key)
        self._watch = [(s.spec, s.model, s.splits, s.optimizer, s.optimizer.state) for s in members]
        self._params = [s.params for s in members]
        self._opts = [s.optimizer for s in members]
        with torch.no_grad():
            self._stack_parameters()
            self._stack_optimizer()
        self._stack_data()
        self._cursor = 0
        self._pace, self._steps = Pace(), 0          # the members' common speed limit
        self._handed: list[torch.Tensor | None] = [None] * len(members)   # orders handed back
        self._given: list[dict | None] = [None] * len(members)
        self._released = False
        for s in members:
            _OWNER[s] = weakref.ref(self)

    # ---- set-up -------------------------------------------------------------------------
    def _stack_parameters(self) -> None:
        """flat [S, P]: member i's parameters, flattened in order, in row i; theirs become
        views of it, and per-layer views of it and of the gradient stack serve the step."""
        S, first = len(self.members), self.members[0]
        self._flat = torch.stack([torch.cat([p.detach().reshape(-1) for p in ps])
                                  for ps in self._params])
        self._grad = torch.zeros_like(self._flat)
        self._slices, start = [], 0
        for p in first.params:
            self._slices.append((start, start + p.numel(), p.shape))
            start += p.numel()
        for i, (ps, opt) in enumerate(zip(self._params, self._opts)):
            for p, (a, b, shape) in zip(ps, self._slices):
                p.data = self._flat[i, a:b].view(shape)
            opt.params = [p.detach() for p in ps]
        self._member_grads = [tuple(self._grad[i, a:b].view(shape) for a, b, shape in self._slices)
                              for i in range(S)]

        def stacked(stack, j):             # parameter j of every member: [S, *shape]
            a, b, shape = self._slices[j]
            return stack[:, a:b].view(S, *(shape if len(shape) > 1 else (1, shape[0])))

        acts = first.model.activations
        self._fns = [ACTIVATIONS[a].fn for a in acts]
        self._dfns = [ACTIVATIONS[a].grad for a in acts]
        self._w = [stacked(self._flat, 2 * l) for l in range(len(acts))]      # [S, in, out]
        self._w_t = [w.mT for w in self._w]
        self._b_t = [stacked(self._flat, 2 * l + 1).mT for l in range(len(acts))]  # [S, out, 1]
        self._gw = [stacked(self._grad, 2 * l) for l in range(len(acts))]
        self._gb = [stacked(self._grad, 2 * l + 1)[:, 0] for l in range(len(acts))]
        weight = torch.zeros(self._flat.shape[1], dtype=torch.bool, device=self._flat.device)
        for a, b, shape in self._slices:
            weight[a:b] = len(shape) > 1          # biases are not penalised
        self._weight_mask = weight

    def _stack_optimizer(self) -> None:
        """The members' moments as [S, P] stacks (theirs become views), the optimiser, and
        per-member regularisation and clipping."""
        name = self._spec.training.optimizer
        state, self._state_lists = {}, [{} for _ in self.members]
        for key in STATE_KEYS[name]:
            stack = state[key] = torch.zeros_like(self._flat)
            for i, opt in enumerate(self._opts):
                if key in opt.state:
                    stack[i] = torch.cat([x.reshape(-1) for x in opt.state[key]])
                opt.state[key] = self._state_lists[i][key] = [
                    stack[i, a:b].view(shape) for a, b, shape in self._slices]
        self._opt = StackedOptimizer(name, self._flat, state, [o.lr for o in self._opts],
                                     [o.momentum for o in self._opts], [o.t for o in self._opts])
        trainings = [s.spec.training for s in self.members]
        self._l1, self._l2 = (self._penalty(trainings, kind) for kind in ("L1", "L2"))
        clips = [t.clip for t in trainings]
        self._clip = column(clips, self._flat) if any(clips) else None

    def _penalty(self, trainings, kind: str) -> torch.Tensor | None:
        """[S, P] rates of one regularisation kind (0 at biases and for other members)."""
        rates = [t.regularization_rate if t.regularization == kind else 0.0 for t in trainings]
        if not any(rates):
            return None
        return column(rates, self._flat) * self._weight_mask

    def _stack_data(self) -> None:
        ms = self.members
        train = [s.splits["train"] for s in ms]
        self._x = _flip(torch.stack([s.x for s in train])).contiguous()      # [S, F, N]
        self._t = _flip(torch.stack([s.t for s in train])).contiguous()
        self._x_all = _flip(torch.stack([s._x_all for s in ms])).contiguous()
        self._t_all = torch.stack([torch.cat([s.splits[n].t for n in SPLITS]) for s in ms])
        dev = self._x.device
        sizes = [len(ms[0].splits[n]) for n in SPLITS]
        self._empty = [size == 0 for size in sizes]
        self._segments = torch.zeros(sum(sizes), len(SPLITS), device=dev)   # sums each split
        for j, (a, size) in enumerate(zip([0, sizes[0], sizes[0] + sizes[1]], sizes)):
            self._segments[a:a + size, j] = 1
        self._sizes = torch.tensor(sizes, device=dev).clamp_min(1)
        self._outputs = torch.empty(len(ms), sum(sizes), ms[0].model.sizes[-1], device=dev)
        bounds = [(n, a, a + size) for n, a, size in zip(SPLITS, [0, sizes[0], sum(sizes[:2])],
                                                             sizes)]
        self._member_outputs = [{n: self._outputs[i, a:b] for n, a, b in bounds}
                                for i in range(len(ms))]

    # ---- training -----------------------------------------------------------------------
    def train_for(self, seconds: float, clock=time.perf_counter) -> int:
        """Train every member in lockstep for about `seconds` (whole steps), while all are
        playing; each epoch's end does each member's bookkeeping as Session does. Returns the
        batched steps taken (0 when a member is not playing). Members that a solo run left at
        different points of an epoch first finish that epoch alone."""
        if self._released:
            raise RuntimeError("this group was released")
        # What a member must keep for the stacks to stay its own: configure, reset,
        # regenerate and restore each replace one of these.
        for s, (spec, model, splits, opt, state) in zip(self.members, self._watch):
            if (s.spec is not spec or s.model is not model or s.splits is not splits
                    or s.optimizer is not opt or opt.state is not state):
                raise RuntimeError("a member was configured, reset, regenerated or restored "
                                   "since the group was built: release it and build a new one")
        if not self._align():
            return 0
        self._opt.restart([o.t for o in self._opts])     # solo steps may have come between
        now = clock()
        deadline = now + seconds
        allowed = self._pace.allowed(self._spec.training.speed,
                                     steps_per_epoch(self._n, self._batch), self._steps, now)
        for s in self.members:
            s.start_clock()
        try:
            steps = self._train_until(deadline, clock, allowed)
        finally:
            for s in self.members:
                s.stop_clock()
        self._steps += steps
        self._hand_back(steps)
        return steps

    def _train_until(self, deadline: float, clock, allowed: int | None) -> int:
        """Lockstep steps until `deadline`, at most `allowed` (None: no limit)."""
        steps, playing = 0, True
        while playing and (allowed is None or steps < allowed):
            if self._cursor == 0:
                self._shuffle()
            self._step()
            steps += 1
            self._cursor += self._batch
            if self._cursor >= self._n:
                self._cursor = 0
                playing = self._end_epoch()
            if clock() >= deadline:
                break
        return steps

    def _align(self) -> bool:
        """Start from where the members are: one cursor (adopt their batch orders), or finish
        each member's epoch alone. False when a member is (then) not playing."""
        ms = self.members
        if any(s.status != "playing" for s in ms):
            return False
        cursors = {s._cursor for s in ms}
        if len(cursors) > 1:
            for s in ms:
                while s._cursor:
                    s.train_batch()
            cursors = {0}
        cursor = cursors.pop()
        ours = cursor == self._cursor and all(s._order is o for s, o in zip(ms, self._handed))
        if cursor and not ours:
            self._order = torch.stack([s._order for s in ms])
            self._xs = _flip(torch.stack([s._xs for s in ms]))
            self._ts = _flip(torch.stack([s._ts for s in ms]))
        self._cursor = cursor
        return all(s.status == "playing" for s in ms)

    def _shuffle(self) -> None:
        """Each member's batch order for the next epoch, from its own generator (as
        Session.train_batch draws it), and its examples in that order: one gather for all."""
        order = torch.stack([torch.randperm(self._n, generator=s._shuffle) for s in self.members])
        self._order = order.to(self._x.device)
        self._xs, self._ts = _take(self._x, self._order), _take(self._t, self._order)

    def _step(self) -> None:
        """One optimiser step of every member on its next batch: forward, the backward pass
        by hand (dL/dW = hᵀ·d, dL/db = Σ d, d ← d·Wᵀ), regularisation, clipping, update."""
        c = self._cursor
        h, t = self._xs[..., c:c + self._batch], self._ts[..., c:c + self._batch]
        ins, zs, ys = [], [], []
        for w_t, b_t, fn in zip(self._w_t, self._b_t, self._fns):
            ins.append(h)
            z = torch.baddbmm(b_t, w_t, h)
            h = fn(z)
            zs.append(z)
            ys.append(h)
        d = _loss_grad(self._kind, h, t)
        for l in range(len(ins) - 1, -1, -1):
            d = self._dfns[l](d, zs[l], ys[l])
            torch.bmm(ins[l], d.mT, out=self._gw[l])
            torch.sum(d, 2, out=self._gb[l])
            if l:
                d = torch.bmm(self._w[l], d)
        g = self._grad
        if self._l1 is not None or self._l2 is not None:
            stacked_regularization(g, self._flat, self._l1, self._l2)
        if self._clip is not None:
            stacked_clip_grad_norm(g, self._clip)
        self._opt.step(g)

    def _end_epoch(self) -> bool:
        """Evaluate every member on every split in one batched pass, then each member's own
        bookkeeping (Session.end_epoch). False when a member left "playing"."""
        metrics = self._evaluate()
        playing = True
        for i, (s, m) in enumerate(zip(self.members, metrics)):
            s.end_epoch(m, m)
            self._given[i] = m
            playing = playing and s.status == "playing"
        return playing

    @torch.no_grad()
    def _evaluate(self) -> list[dict]:
        """Session.evaluate of every member: loss and accuracy per split."""
        h = self._x_all
        for w_t, b_t, fn in zip(self._w_t, self._b_t, self._fns):
            h = fn(torch.baddbmm(b_t, w_t, h))
        self._outputs.copy_(h.mT)
        ok = correct(self._spec, self._outputs, self._t_all)
        rows = [_example_losses(self._kind, h, self._t_all)]
        if ok is not None:
            rows.append(ok.to(h.dtype))
        means = (torch.stack(rows) @ self._segments / self._sizes).tolist()
        losses, accuracies = means[0], means[1] if ok is not None else None
        out = []
        for i in range(len(self.members)):
            m = {}
            for j, (loss_key, accuracy_key) in enumerate(METRIC_KEYS):
                if self._empty[j]:
                    m[loss_key] = m[accuracy_key] = None
                else:
                    m[loss_key] = losses[i][j]
                    m[accuracy_key] = None if accuracies is None else accuracies[i][j]
            out.append(m)
        return out

    def _hand_back(self, steps: int) -> None:
        """Members' counters, batch position, last gradients and evaluation outputs, so a
        snapshot (or solo training, after release) sees them as if each had trained alone."""
        c, n = self._cursor, len(self.members)
        if c:                       # mid-epoch: each member's order and batches, as views
            batches = zip(self._order.unbind(0), _flip(self._xs).unbind(0),
                          _flip(self._ts).unbind(0))
        else:
            batches = ((None, None, None),) * n
        self._handed = []
        for i, (s, opt, (order, xs, ts)) in enumerate(zip(self.members, self._opts, batches)):
            s.step += steps
            opt.t += steps
            s._cursor = c
            s._order = order
            if c:
                s._xs, s._ts = xs, ts
            self._handed.append(order)
            if steps:
                s.last_grads = self._member_grads[i]
            if s.metrics is self._given[i]:      # not re-evaluated alone (early stopping)
                s.outputs.update(self._member_outputs[i])

    # ---- release ------------------------------------------------------------------------
    @torch.no_grad()
    def release(self) -> None:
        """Give every member its own parameter, moment and batch storage back (as before the
        group); the group cannot train afterwards. Safe to call twice."""
        if self._released:
            return
        self._released = True
        for i, (s, ps, opt) in enumerate(zip(self.members, self._params, self._opts)):
            for p in ps:
                p.data = p.data.clone()
            opt.params = [p.detach() for p in ps]
            for key, views in self._state_lists[i].items():
                if opt.state.get(key) is views:
                    opt.state[key] = [v.clone() for v in views]
            if s.last_grads is self._member_grads[i]:
                s.last_grads = tuple(g.clone() for g in s.last_grads)
            for name, out in self._member_outputs[i].items():
                if s.outputs.get(name) is out:
                    s.outputs[name] = out.clone()
            if s._order is not None:          # mid-epoch: its batches are views of ours
                s._order, s._xs, s._ts = s._order.clone(), s._xs.clone(), s._ts.clone()
            if _owner(s) is self:
                del _OWNER[s]
