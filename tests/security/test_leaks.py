"""The leak scan finds a planted secret in every form and place the DAG test searches, and nothing where
the secret is only encrypted or masked: without this, a clean scan would prove nothing."""

from __future__ import annotations

import base64
import sqlite3
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlencode

from cryptography.fernet import Fernet

from procore_xero.clients.redact import redact, register_secret
from tests.security.leaks import LeakScan, encoded_forms

SECRET = "s3cr3t-Planted/Value+42~"
CLIENT_ID = "client-id-0001"


def scan() -> LeakScan:
    return LeakScan({"planted": SECRET})


def found(scanner: LeakScan) -> set[tuple[str, str]]:
    return {(f.form, f.where) for f in scanner.findings}


def test_every_encoding_is_found_in_text() -> None:
    basic = base64.b64encode(f"{CLIENT_ID}:{SECRET}".encode()).decode()  # HTTP Basic auth
    texts = {
        "clear": f'{{"password": "{SECRET}"}}',
        "url": urlencode({"grant_type": "refresh_token", "refresh_token": SECRET}),
        "base64": f"Authorization: Basic {basic}",
        "urlsafe": base64.urlsafe_b64encode(b"xy" + SECRET.encode()).decode(),
    }
    for name, text in texts.items():
        scanner = scan()
        scanner.text(name, text)
        assert found(scanner) == {({"urlsafe": "base64"}.get(name, name), name)}, name
    assert len(encoded_forms(SECRET)) >= 6
    assert encoded_forms("plain-token_123")["plain-token_123"] == "clear"


def test_files_mail_and_sqlite_cells_are_searched(tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "attempt=1.log").write_text(f'{{"event": "token {SECRET}"}}\n', encoding="utf-8")
    message = EmailMessage()
    message.set_content(("padding line\n" * 20) + SECRET, cte="base64")  # wrapped at 76 columns
    message.add_attachment(SECRET.encode() * 3, maintype="application", subtype="octet-stream")
    (tmp_path / "report.eml").write_bytes(bytes(message))
    database = tmp_path / "staging.db"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE xcom (key TEXT, value BLOB)")
        connection.execute("INSERT INTO xcom VALUES ('k', ?)", (f'{{"t": "{SECRET}"}}'.encode(),))
    connection.close()
    scanner = scan()
    scanner.tree(tmp_path)
    places = {where for _, where in found(scanner)}
    assert str(tmp_path / "logs" / "attempt=1.log") in places
    assert f"{tmp_path / 'report.eml'} [text/plain]" in places
    assert f"{tmp_path / 'report.eml'} [application/octet-stream]" in places
    assert "staging.db:xcom.value" in places
    assert scanner.scanned["files"] == 3 and scanner.scanned["rows"] == 1


def test_encrypted_and_masked_values_are_not_findings(tmp_path: Path) -> None:
    register_secret(SECRET)
    ciphertext = Fernet(Fernet.generate_key()).encrypt(SECRET.encode()).decode()
    scanner = scan()
    scanner.text("ciphertext", ciphertext)
    scanner.text("masked", redact(f"refresh_token={SECRET}&x=1 Bearer {SECRET}"))
    assert scanner.findings == []
