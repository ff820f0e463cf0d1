"""A Redis server of our own from Debian's ``redis-server`` on loopback: the Celery broker of ``make cluster``
(docker-compose.yaml runs the ``redis`` image for it). Nothing is persisted: a broker restarted empty loses
only queued messages, which the scheduler sends again for tasks still queued."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sandbox.process import free_port, stop_process

INSTALL_HINT = "redis-server not found: install Debian's redis-server package, as .ci/run does"


def ping(port: int) -> bool:
    """Whether a Redis server answers PING on loopback ``port``."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextmanager
def running_redis(directory: Path, port: int | None = None, timeout: float = 30) -> Iterator[int]:
    """``redis-server`` on ``port`` (else a free one) until exit; its port. It logs to ``redis.log`` there."""
    program = shutil.which("redis-server")
    if program is None:
        raise RuntimeError(INSTALL_HINT)
    port = port or free_port()
    directory.mkdir(parents=True, exist_ok=True)
    args = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    args += ["--dir", str(directory), "--logfile", str(directory / "redis.log")]
    process = subprocess.Popen([program, *args], stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        while not ping(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not answer on :{port}; see {directory / 'redis.log'}")
            time.sleep(0.1)
        yield port
    finally:
        stop_process(process)
