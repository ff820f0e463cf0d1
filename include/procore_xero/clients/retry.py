"""How often and how long to retry a failed call: bounded attempts, exponential backoff with jitter."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

RETRYABLE_STATUSES = frozenset({500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """``attempts`` bounds tries per call for 5xx / timeouts / dropped connections; ``rate_limit_attempts``
    bounds consecutive 429s; ``max_rate_limit_wait`` is the longest advertised wait worth sleeping for."""

    attempts: int = 5
    base_delay: float = 1.0
    max_delay: float = 60.0
    rate_limit_attempts: int = 10
    max_rate_limit_wait: float = 900.0
    jitter: Callable[[], float] = field(default=random.random, repr=False)

    def backoff(self, failures: int) -> float:
        """Delay after the ``failures``-th failure: half fixed, half random ("equal jitter"), doubling."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (failures - 1))
        return ceiling / 2 + self.jitter() * ceiling / 2
