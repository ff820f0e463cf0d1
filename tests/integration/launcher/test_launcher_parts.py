"""``make airflow``'s parts on real processes: a durable PostgreSQL cluster that keeps its data across
restarts (also after a launcher died without stopping it), the mail catcher's files, a component's exit."""

from __future__ import annotations

import shutil
import smtplib
import tempfile
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import psycopg2
import pytest

from tools.airflow_components import Components
from tools.airflow_standalone import AIRFLOW
from tools.mail_folder import mail_catcher, read_mail
from tools.postgres_server import find_postgres_bin, start_postgres


@pytest.fixture
def cluster_root() -> Iterator[Path]:
    """A directory the ``postgres`` user may enter (pytest's tmp_path is private to root)."""
    if find_postgres_bin() is None:
        pytest.skip("PostgreSQL not installed")
    root = Path(tempfile.mkdtemp(prefix="pxsync-durable-"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


def rows(port: int) -> list[tuple[int, str]]:
    connection = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="airflow")
    with connection, connection.cursor() as cursor:
        cursor.execute("SELECT id, name FROM runs ORDER BY id")
        result = cursor.fetchall()
    connection.close()
    return result


def test_durable_cluster_keeps_its_data_across_restarts_and_a_stale_server(cluster_root: Path) -> None:
    bin_dir = find_postgres_bin()
    assert bin_dir is not None
    first = start_postgres(bin_dir, cluster_root)
    first.ensure_database("airflow")
    connection = psycopg2.connect(host="127.0.0.1", port=first.port, user="postgres", dbname="airflow")
    with connection, connection.cursor() as cursor:
        cursor.execute("CREATE TABLE runs (id int PRIMARY KEY, name text)")
        cursor.execute("INSERT INTO runs VALUES (1, 'backfill__2026-12-04T10:00:00')")
    connection.close()
    first.stop()
    assert (cluster_root / "data" / "PG_VERSION").exists(), "a durable cluster is kept on stop"

    second = start_postgres(bin_dir, cluster_root)  # a new port, the same data
    second.ensure_database("airflow")  # exists: kept, not recreated
    assert rows(second.port) == [(1, "backfill__2026-12-04T10:00:00")]

    # The launcher died without stopping it: the next start replaces the stale server, data intact.
    third = start_postgres(bin_dir, cluster_root)
    try:
        assert third.port != second.port and third.running()
        assert rows(third.port) == [(1, "backfill__2026-12-04T10:00:00")]
    finally:
        third.stop()
    assert not third.running()


def test_mail_catcher_keeps_each_message_with_its_envelope_recipients(tmp_path: Path) -> None:
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = "Drift 2026-12-04", "pxsync@localhost", "a@x.example"
    message.set_content("3 findings")
    with mail_catcher(tmp_path / "mail") as port, smtplib.SMTP("127.0.0.1", port) as smtp:
        smtp.send_message(message, to_addrs=["a@x.example", "bcc@x.example"])
    (kept,) = read_mail(tmp_path / "mail")
    assert kept["Subject"] == "Drift 2026-12-04"
    assert kept["X-Envelope-To"] == "a@x.example, bcc@x.example"
    assert kept.get_content().strip() == "3 findings"
    assert list((tmp_path / "mail").glob("*.part")) == []


def test_a_component_that_exits_is_named_with_its_exit_code(tmp_path: Path) -> None:
    components = Components(
        AIRFLOW, {"PATH": "/usr/bin:/bin", "AIRFLOW_HOME": str(tmp_path)}, tmp_path / "logs"
    )
    components.start(["version"])  # a real airflow command that ends at once
    components.processes["version"].wait(timeout=120)
    assert components.dead() == {"version": 0}
    assert components.log("version").read_text().strip().startswith("3.")
    components.stop()
