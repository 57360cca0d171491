"""Progress of a long embedding run, readable from another thread.

An index build on a real corpus embeds for minutes; a frozen bar reads as a hang.
:class:`EmbedProgress` is the ``(done, total)`` callback that
:func:`index.build.sync_index` accepts, and remembers enough to tell clauses done / total,
the rate and the time left.  The terminal uses tqdm for the same; the app runs the build in
a background thread (:func:`run_in_background`) and polls :meth:`EmbedProgress.snapshot`
from its script thread (Streamlit widgets may only be updated from there).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ProgressSnapshot:
    done: int
    total: int
    elapsed: float  # seconds since the first clause was counted
    rate: float | None  # clauses per second, None before the first batch
    eta: float | None  # seconds left, None while unknown

    @property
    def fraction(self) -> float:
        return min(1.0, self.done / self.total) if self.total else 0.0

    def describe(self) -> str:
        """``嵌入条款 120/734 · 35.2 条/秒 · 剩余约 18 秒`` (or without rate before it is known)."""
        text = f"嵌入条款 {self.done}/{self.total}"
        if self.rate:
            text += f" · {self.rate:.1f} 条/秒"
        if self.eta is not None and self.done < self.total:
            text += f" · 剩余约 {_duration(self.eta)}"
        return text


@dataclass
class EmbedProgress:
    """Thread-safe ``(done, total)`` callback with rate and ETA."""

    done: int = 0
    total: int = 0
    _started: float | None = field(default=None, repr=False)
    _first_done: int = field(default=0, repr=False)
    _updated: float | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        with self._lock:
            if self._started is None and done > 0:
                # The rate is measured from the first finished batch, so that loading the
                # model does not count as slow embedding.
                self._started, self._first_done = now, done
            self.done, self.total, self._updated = done, total, now

    def snapshot(self) -> ProgressSnapshot:
        with self._lock:
            done, total, started, first, updated = (
                self.done,
                self.total,
                self._started,
                self._first_done,
                self._updated,
            )
        if started is None or updated is None:
            return ProgressSnapshot(done, total, 0.0, None, None)
        elapsed = time.monotonic() - started
        span = updated - started
        rate = (done - first) / span if span > 0 and done > first else None
        eta = (total - done) / rate if rate else None
        return ProgressSnapshot(done, total, elapsed, rate, eta)


class Background:
    """A function running in a daemon thread; :meth:`result` re-raises its exception."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        self._result: Any = None
        self._error: BaseException | None = None

        def run() -> None:
            try:
                self._result = fn()
            except BaseException as exc:  # handed to the caller's thread
                self._error = exc

        self._thread = threading.Thread(target=run, name="embed-background", daemon=True)
        self._thread.start()

    def running(self) -> bool:
        return self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> bool:
        """True once finished (False if ``timeout`` passed first)."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def result(self) -> Any:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result


def run_in_background(fn: Callable[[], Any]) -> Background:
    return Background(fn)


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} 秒"
    if seconds < 5400:
        return f"{round(seconds / 60)} 分钟"
    return f"{seconds / 3600:.1f} 小时"
