"""A daemon thread that sends an emulator's queued webhook deliveries, as the real service's pipeline does."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Dispatcher:
    """Calls ``deliver`` every ``interval`` real seconds once started (at the first subscription)."""

    def __init__(self, deliver: Callable[[], object], name: str, interval: float = 0.2) -> None:
        self._deliver, self._name, self._interval = deliver, name, interval
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            self._deliver()
            time.sleep(self._interval)
