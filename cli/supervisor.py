"""Keeps the processes of `docgen run` alive: a child that dies is started again with backoff.

One crashed worker, web process or embedded Redis must not stop the others: the rest keep serving
while it comes back. A child that keeps dying is restarted ever more slowly (never given up on), and
the crash loop is logged, so a full disk or a missing binary shows as a slow loop, not a dead service.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

__all__ = ["BACKOFF_MAX", "BACKOFF_START", "STABLE_AFTER", "Child", "Handle", "ProcessHandle", "Supervisor"]

BACKOFF_START = 0.5
"""Seconds before the first restart of a child that died."""
BACKOFF_MAX = 30.0
"""Longest wait between restarts of a child in a crash loop."""
STABLE_AFTER = 60.0
"""A child that ran this many seconds before dying is restarted at once: it was not crash-looping."""


class Handle(Protocol):
    """What the supervisor needs of a running child: how it ended (None while it runs), how to stop it."""

    def poll(self) -> int | None: ...

    def stop(self, timeout: float) -> None: ...


class ProcessHandle:
    """A plain subprocess."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process

    def poll(self) -> int | None:
        return self.process.poll()

    def stop(self, timeout: float) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass
class Child:
    """One supervised process: ``start`` makes a new one each time it is (re)started."""

    name: str
    start: Callable[[], Handle]
    handle: Handle | None = None
    started_at: float = 0.0
    failures: int = 0
    """Deaths in a row, each after a short run: the exponent of the backoff."""
    restart_at: float | None = None

    def backoff(self) -> float:
        return min(BACKOFF_MAX, BACKOFF_START * 2 ** max(0, self.failures - 1))


class Supervisor:
    """Starts children in order, restarts any that dies, stops all in reverse order."""

    def __init__(self, say: Callable[[str], None], clock: Callable[[], float] = time.monotonic) -> None:
        self.children: list[Child] = []
        self.say = say
        self.clock = clock

    def add(self, name: str, start: Callable[[], Handle]) -> Child:
        child = Child(name, start)
        self._launch(child)
        self.children.append(child)
        return child

    def _launch(self, child: Child) -> None:
        try:
            child.handle = child.start()
        except Exception as exc:  # a start that fails (full disk, port taken) is a death like any other
            child.handle = None
            self._died(child, f"could not start: {exc}")
            return
        child.started_at = self.clock()
        child.restart_at = None

    def _died(self, child: Child, how: str) -> None:
        ran = self.clock() - child.started_at if child.started_at else 0.0
        child.failures = 1 if ran >= STABLE_AFTER else child.failures + 1
        delay = child.backoff()
        child.restart_at = self.clock() + delay
        loop = f" (crash loop: {child.failures} in a row)" if child.failures >= 3 else ""
        self.say(f"{child.name} {how}; restarting in {delay:.1f}s{loop}")

    def tick(self) -> None:
        """Notice dead children and restart those whose backoff has passed."""
        now = self.clock()
        for child in self.children:
            if child.restart_at is not None:
                if now >= child.restart_at:
                    self._launch(child)
                continue
            if child.handle is not None and (code := child.handle.poll()) is not None:
                child.handle = None
                self._died(child, f"exited with code {code}")

    def stop_all(self, timeout: float = 15.0) -> None:
        for child in reversed(self.children):
            if child.handle is not None:
                try:
                    child.handle.stop(timeout)
                except Exception as exc:
                    self.say(f"{child.name} did not stop cleanly: {exc}")
