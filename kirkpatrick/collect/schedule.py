"""Sending on a schedule inside a long-running process (``kirkpatrick serve --send-every``).

The thread calls the same function as ``kirkpatrick survey send``, every ``interval`` seconds,
the first time at once. That function is safe to run in several processes at once: an outbox
row is queued once (its unique key) and claimed by one sender (``pending`` -> ``sending`` in its
own transaction), so two servers with the option never send a message twice; they only do the
work twice. A failed round (no mail server, a database error) is logged by its kind, never with
its text (which could hold an address), and the next round tries again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from kirkpatrick.collect.mail import SendReport

log = logging.getLogger("kirkpatrick.collect.schedule")


class SendScheduler:
    """Run ``send`` every ``interval`` seconds in a daemon thread until ``stop``; ``close`` (say,
    disposing the engine ``send`` uses) runs once the thread has ended."""

    def __init__(
        self, send: Callable[[], SendReport], interval: float, close: Callable[[], object] | None = None
    ) -> None:
        if interval <= 0:
            raise ValueError(f"interval must be positive, but got {interval!r}")
        self.send = send
        self.interval = interval
        self.close = close
        self.rounds = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kirkpatrick-send", daemon=True)

    def start(self) -> SendScheduler:
        self._thread.start()
        return self

    def stop(self, timeout: float | None = 30.0) -> bool:
        """Ask the thread to stop and wait for a round in progress to end; True if it has ended."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        ended = not self._thread.is_alive()
        if ended and self.close is not None:
            self.close()
            self.close = None
        return ended

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                report = self.send()
            except Exception as exc:  # a round that fails must not end the schedule
                log.warning("scheduled survey send failed: %s", type(exc).__name__)
            else:
                if report.queued or report.sent or report.failed:
                    log.info("scheduled survey send: %s", report.as_dict())
            self.rounds += 1
            self._stop.wait(self.interval)
