"""Fair use: token buckets per address and per browser, refusals that say how long to wait.

A bucket holds up to `burst` tokens and gains `per_s` a second; an action takes one (or
`cost`). Each kind of action (opening a session, stepping, saving, guessing a room code, any
event on one connection) has a bucket per address and one per browser, so a client that
changes its cookie still meets its address's limit, and a class behind one address (a school's
NAT) still gets the address's larger share. A refusal is `SlowDown`: the action, and the
seconds until a token is back. The figures and their reasons are `RATES` below and README's
"Limits".
"""
from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from server.errors import SlowDown

MAX_KEYS = 50_000          # buckets kept per kind and scope; refilled ones are forgotten first,
FORGET_TO = 0.9            # ...then the least recently used, down to this share of MAX_KEYS


@dataclass(frozen=True)
class Rate:
    """A token bucket's size and refill, or (`window_s` set) at most `burst` actions in any
    `window_s` seconds: a sliding window, for a limit stated as "N a minute" to hold for every
    minute, not only on average."""
    burst: float           # tokens when full: what may happen at once
    per_s: float           # tokens regained a second: the sustained rate
    what: str              # how a refusal names the action
    window_s: float | None = None


# (burst, per second) per browser and per address, with the reason for each figure.
RATES: dict[str, dict[str, Rate]] = {
    # A new session builds a model and draws data on a trainer. A person opens a handful of tabs;
    # a class of 40 behind one address all open the page in the same minute.
    "open": {"browser": Rate(20, 1 / 3, "opening sessions"),
             "address": Rate(60, 1.0, "opening sessions")},
    # A step trains a whole epoch. Holding → repeats about 30 times a second.
    "step": {"browser": Rate(30, 10.0, "stepping"),
             "address": Rate(300, 100.0, "stepping")},
    # A drawing through the net: the pad sends at most 10 a second while a person draws; a
    # class of 40 behind one address all draw at once.
    "probe": {"browser": Rate(20, 10.0, "drawing"),
              "address": Rate(800, 400.0, "drawing")},
    # A save writes up to MAX_EXPERIMENT_BYTES to disk (the quotas bound the total): a teacher
    # saves a run after each change in a demo; a class saves at the end of a lesson.
    "save": {"browser": Rate(10, 1 / 10, "saving"),
             "address": Rate(60, 1 / 2, "saving")},
    # Wrong room codes: at most 10 in any minute per address, so finding one of 100 open rooms
    # among 32^6 codes takes about two years of guessing.
    "room_guess": {"browser": Rate(10, 10 / 60, "trying room codes", window_s=60),
                   "address": Rate(10, 10 / 60, "trying room codes", window_s=60)},
    # A CSV read into points (MAX_CSV_BYTES at most, parsed in the request): a person loads a
    # file and tries a few column choices; a class loads theirs in the same minute.
    "upload": {"browser": Rate(30, 1 / 2, "uploading files"),
               "address": Rate(120, 2.0, "uploading files")},
    # Any event on one connection: a page sends a few a second, a slider drag a few tens.
    "event": {"connection": Rate(100, 50.0, "sending events")},
}


class Bucket:
    """Tokens, refilled at the rate as time passes; a windowed rate keeps the times of the
    actions within its window instead (tokens = burst - how many)."""
    __slots__ = ("tokens", "stamp", "times")

    def __init__(self, tokens: float, stamp: float):
        self.tokens, self.stamp, self.times = tokens, stamp, []

    def refill(self, rate: Rate, now: float) -> None:
        if rate.window_s is None:
            self.tokens = min(rate.burst, self.tokens + (now - self.stamp) * rate.per_s)
        else:
            self.times = [t for t in self.times if now - t < rate.window_s]
            self.tokens = rate.burst - len(self.times)
        self.stamp = now

    def wait(self, rate: Rate, cost: float, now: float) -> float:
        """Seconds until `cost` tokens are there."""
        if rate.window_s is None:
            return (cost - self.tokens) / rate.per_s
        return self.times[0] + rate.window_s - now if self.times else 0.0

    def spend(self, rate: Rate, cost: float, now: float) -> None:
        self.tokens -= cost
        if rate.window_s is not None and cost:
            self.times.append(now)


class Limits:
    """Every bucket of the app: `take(kind, scope=key, ...)` spends a token from each named
    scope's bucket or raises SlowDown (spending none) when one is empty."""

    def __init__(self, rates: dict[str, dict[str, Rate]] | None = None, clock=time.monotonic):
        self.rates = {**RATES, **(rates or {})}
        self.clock = clock
        self.buckets: dict[tuple[str, str], OrderedDict] = {}
        self.lock = threading.Lock()

    def take(self, kind: str, cost: float = 1.0, spend: bool = True, **keys: str | None) -> None:
        """Spend `cost` from `kind`'s bucket of each scope given (browser=..., address=...);
        SlowDown names the action and the wait when any bucket is short, and nothing is spent.
        `spend=False` only checks (a room code is charged once it proved wrong)."""
        now = self.clock()
        with self.lock:
            found = [(self.rates[kind][scope], self._bucket(kind, scope, key, now))
                     for scope, key in keys.items() if key is not None]
            for rate, bucket in found:
                if bucket.tokens < cost:
                    raise SlowDown(rate.what, math.ceil(bucket.wait(rate, cost, now)))
            if spend:
                for rate, bucket in found:
                    bucket.spend(rate, cost, now)

    def _bucket(self, kind: str, scope: str, key: str, now: float) -> Bucket:
        rate = self.rates[kind][scope]
        table = self.buckets.setdefault((kind, scope), OrderedDict())
        bucket = table.get(key)
        if bucket is None:
            bucket = table[key] = Bucket(rate.burst, now)
            if len(table) > MAX_KEYS:
                self._forget(table, rate, now)
        else:
            bucket.refill(rate, now)
            table.move_to_end(key)
        return bucket

    @staticmethod
    def _forget(table: OrderedDict, rate: Rate, now: float) -> None:
        """Drop the buckets that have refilled (forgetting them changes nothing); if none has,
        the least recently used: a flood of fresh keys cannot grow the table without bound."""
        for key in list(table):
            bucket = table[key]
            bucket.refill(rate, now)
            if bucket.tokens >= rate.burst:
                del table[key]
        while len(table) > MAX_KEYS * FORGET_TO:     # some room: the scan is not per key
            table.popitem(last=False)


class Connections:
    """The sockets each address and browser has open. Every socket holds threads on the server
    (its reader, its writer), so one address may not hold more than `per_address` (a class of
    40 behind one NAT, two tabs each) nor one browser more than `per_browser`."""

    def __init__(self, per_address: int, per_browser: int):
        self.per_address, self.per_browser = per_address, per_browser
        self.open_sockets: dict[str, tuple[str, str]] = {}     # sid -> (address, browser)
        self.lock = threading.Lock()

    def admit(self, sid: str, address: str, browser: str) -> str | None:
        """Count the socket in, or say why it may not connect."""
        with self.lock:
            held = list(self.open_sockets.values())
            if sum(a == address for a, _ in held) >= self.per_address:
                return f"this address already has {self.per_address} connections open"
            if sum(b == browser for _, b in held) >= self.per_browser:
                return f"this browser already has {self.per_browser} connections open"
            self.open_sockets[sid] = (address, browser)
        return None

    def leave(self, sid: str) -> None:
        with self.lock:
            self.open_sockets.pop(sid, None)


def server_limits(config, rates: dict[str, dict[str, Rate]]) -> dict:
    """The limits a client meets, as /api/schema states them (README, "Limits")."""
    return {
        "sessions": config["MAX_SESSIONS"], "sessions_per_browser": config["MAX_SESSIONS_PER_OWNER"],
        "sessions_per_address": config["MAX_SESSIONS_PER_ADDRESS"],
        "sockets_per_browser": config["MAX_SOCKETS_PER_BROWSER"],
        "sockets_per_address": config["MAX_SOCKETS_PER_ADDRESS"],
        "idle_session_s": config["IDLE_TTL_S"], "detached_session_s": config["DETACHED_TTL_S"],
        "message_bytes": config["MAX_CONTENT_LENGTH"],
        "record_bytes": config["MAX_EXPERIMENT_BYTES"],
        "saved_bytes_per_browser": config["SAVE_QUOTA_BROWSER_BYTES"],
        "saved_bytes_per_address": config["SAVE_QUOTA_ADDRESS_BYTES"],
        "rates": {kind: {scope: {"burst": r.burst, "per_s": r.per_s,
                                 **({"window_s": r.window_s} if r.window_s else {})}
                         for scope, r in scopes.items()}
                  for kind, scopes in rates.items()},
    }
