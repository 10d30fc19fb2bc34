"""Which playing sessions a trainer steps together as one batched model.

Sessions with equal `batch_key` form a group of two or more, kept from round to round while its
members stay the same and taken apart when one leaves, is paused or is touched by an op. Runs
on the trainer's one thread.
"""
from __future__ import annotations

from collections import defaultdict

from engine.training.batched import BatchedGroup, batch_key


class Groups:
    def __init__(self):
        self.groups: dict[frozenset, BatchedGroup] = {}
        self.of: dict[str, frozenset] = {}          # session key -> its group's member keys

    def plan(self, active: list) -> list[tuple[BatchedGroup | None, list]]:
        """The units of one round: (group, members) for each batch of ≥ 2 sessions that share
        a key, (None, [member]) for each session trained alone."""
        by_key: dict = defaultdict(list)
        units = []
        for key, entry in active:
            bk = batch_key(entry.session)
            if bk is None:
                units.append((None, [(key, entry)]))
            else:
                by_key[bk].append((key, entry))
        wanted = set()
        for members in by_key.values():
            if len(members) < 2:
                units.append((None, members))
                continue
            ids = frozenset(k for k, _ in members)
            wanted.add(ids)
            group = self.groups.get(ids)
            if group is None:
                for k in ids:
                    self.release(k)
                group = self.groups[ids] = BatchedGroup([e.session for _, e in members])
                self.of.update(dict.fromkeys(ids, ids))
            units.append((group, members))
        for ids in [ids for ids in self.groups if ids not in wanted]:
            self._dissolve(ids)
        return units

    def release(self, key: str) -> None:
        """Take apart the group holding session `key`, if any."""
        ids = self.of.get(key)
        if ids is not None:
            self._dissolve(ids)

    def _dissolve(self, ids: frozenset) -> None:
        group = self.groups.pop(ids)
        for k in ids:
            self.of.pop(k, None)
        group.release()
