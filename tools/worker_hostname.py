"""``[core] hostname_callable`` of ``make cluster``'s Celery workers: two workers on one machine would both
record its name on their task instances; each records its own name (``PXSYNC_WORKER_NAME``) instead, so the
UI and the cluster test tell which worker ran a task. Compose's workers are containers: their hostnames
already differ, and they keep Airflow's default."""

from __future__ import annotations

import os
import socket


def worker_hostname() -> str:
    """``PXSYNC_WORKER_NAME`` (e.g. ``worker-2``), else the machine's name as Airflow's default gives it."""
    return os.environ.get("PXSYNC_WORKER_NAME") or socket.getfqdn()
