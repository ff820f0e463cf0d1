"""Env files as compose reads them: the shared settings parse, a bad line is named, secrets stay private."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tools.env_file import read_env_file, write_env_file


def test_comments_and_blank_lines_are_skipped_and_values_taken_literally(tmp_path: Path) -> None:
    path = tmp_path / "a.env"
    path.write_text("# header\n\nA=1\n  B = two words \nC=x=y\n")
    assert read_env_file(path) == {"A": "1", "B": "two words", "C": "x=y"}


@pytest.mark.parametrize("line", ["NOEQUALS", "1BAD=x", "URL=${HOST}/x"])
def test_a_line_compose_would_read_otherwise_is_refused_with_file_and_line(tmp_path: Path, line: str) -> None:
    path = tmp_path / "b.env"
    path.write_text(f"OK=1\n{line}\n")
    with pytest.raises(ValueError, match=rf"b\.env:2: .*{line[:4]}"):
        read_env_file(path)


def test_written_secrets_are_readable_by_their_owner_only_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "home" / ".env"
    write_env_file(path, {"POSTGRES_PASSWORD": "abc123", "AIRFLOW_ADMIN_USER": "admin"}, "generated")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_env_file(path) == {"POSTGRES_PASSWORD": "abc123", "AIRFLOW_ADMIN_USER": "admin"}
