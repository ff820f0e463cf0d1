"""Env files as docker compose reads them (``KEY=VALUE`` lines, ``#`` comments): ``deploy/airflow.env`` and
``.env`` are read by both docker-compose.yaml and ``make cluster``, so the two run with the same settings."""

from __future__ import annotations

import re
from pathlib import Path

KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def read_env_file(path: Path) -> dict[str, str]:
    """The variables of ``path``; a line that is not ``KEY=VALUE`` raises naming the file and line (compose
    would refuse it too). Values are taken literally: no quotes, no ``${}`` interpolation here."""
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        key, equals, value = text.partition("=")
        if not equals or not KEY.fullmatch(key.strip()) or "${" in value:
            raise ValueError(f"{path}:{number}: expected KEY=VALUE without ${{}}, got {text!r}")
        values[key.strip()] = value.strip()
    return values


def write_env_file(path: Path, values: dict[str, str], header: str) -> None:
    """``values`` as an env file readable by its owner only (it holds secrets)."""
    lines = [f"# {line}" for line in header.splitlines()] + [f"{k}={v}" for k, v in values.items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
