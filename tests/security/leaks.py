"""Looking for known secret values where they must not be: text, files, MIME messages, SQLite databases.

A secret counts as found in clear, URL-encoded, or base64-encoded (standard or URL-safe alphabet, at any
of the three byte alignments, so one embedded in a longer encoded value such as ``Basic base64(id:secret)``
or a MIME body is found too). Every place scanned is counted, so a report can say what was searched.
"""

from __future__ import annotations

import base64
import contextlib
import re
import sqlite3
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from pathlib import Path
from urllib.parse import quote, quote_plus

MIN_FORM_LENGTH = 8  # shorter encoded fragments would match by chance


@dataclass(frozen=True)
class Finding:
    secret: str  # the secret's name, never its value
    form: str  # "clear", "url", "base64"
    where: str


def encoded_forms(value: str) -> dict[str, str]:
    """Every string that betrays ``value``, mapped to how it is encoded."""
    forms = {value: "clear"}
    for encoded in (quote(value, safe=""), quote_plus(value)):
        forms.setdefault(encoded, "url")  # a value of unreserved characters only stays "clear"
    raw = value.encode()
    for offset in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            encoded = encode(b"\0" * offset + raw).decode()
            start, end = -(-8 * offset // 6), 8 * (offset + len(raw)) // 6  # chars made of the secret only
            forms.setdefault(encoded[start:end], "base64")
    return {form: kind for form, kind in forms.items() if len(form) >= MIN_FORM_LENGTH}


@dataclass
class LeakScan:
    """Scans places for the forms of ``secrets`` (name -> value); ``findings`` and ``scanned`` grow."""

    secrets: dict[str, str]
    findings: list[Finding] = field(default_factory=list)
    scanned: Counter[str] = field(default_factory=Counter)  # files, rows, cells, bytes, texts

    def __post_init__(self) -> None:
        self._forms: dict[str, tuple[str, str]] = {}
        for name, value in self.secrets.items():
            if len(value) < MIN_FORM_LENGTH:
                raise ValueError(f"secret {name!r} is too short to look for reliably")
            for form, kind in encoded_forms(value).items():
                self._forms.setdefault(form, (name, kind))
        self._pattern = re.compile("|".join(map(re.escape, sorted(self._forms, key=len, reverse=True))))

    def text(self, where: str, text: str) -> None:
        """``text`` as it is, and with whitespace removed (base64 wrapped over lines)."""
        self.scanned["bytes"] += len(text)
        self.scanned["texts"] += 1
        for candidate in (text, re.sub(r"\s+", "", text)):
            for match in self._pattern.finditer(candidate):
                name, kind = self._forms[match.group()]
                finding = Finding(name, kind, where)
                if finding not in self.findings:
                    self.findings.append(finding)

    def data(self, where: str, data: bytes) -> None:
        """Bytes as UTF-8 text, and inflated when they are zlib-compressed (Airflow may compress blobs)."""
        self.text(where, data.decode("utf-8", errors="replace"))
        with contextlib.suppress(zlib.error):
            self.text(f"{where} (inflated)", zlib.decompress(data).decode("utf-8", errors="replace"))

    def file(self, path: Path) -> None:
        """A file's bytes; a MIME message (``.eml``) also part by part, transfer encodings undone."""
        self.scanned["files"] += 1
        data = path.read_bytes()
        self.data(str(path), data)
        if path.suffix == ".eml":
            for part in message_from_bytes(data, policy=policy.default).walk():
                payload = part.get_payload(decode=True)
                if isinstance(payload, bytes):
                    self.data(f"{path} [{part.get_content_type()}]", payload)

    def tree(self, root: Path) -> list[Path]:
        """Every file under ``root`` (SQLite files also table by table); the files scanned."""
        files = sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            self.file(path)
            if path.read_bytes()[:16] == b"SQLite format 3\0":
                self.sqlite(path)
        return files

    def sqlite(self, path: Path) -> None:
        """Every cell of every table (text, blobs, numbers) of a SQLite database."""
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = [
                row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            ]
            for table in tables:
                self.scanned["tables"] += 1
                cursor = connection.execute(f'SELECT * FROM "{table}"')
                columns = [d[0] for d in cursor.description]
                for row in cursor:
                    self.scanned["rows"] += 1
                    for column, value in zip(columns, row, strict=True):
                        self._cell(f"{path.name}:{table}.{column}", value)
        finally:
            connection.close()

    def _cell(self, where: str, value: object) -> None:
        if value is None:
            return
        self.scanned["cells"] += 1
        if isinstance(value, bytes):
            self.data(where, value)
        else:
            self.text(where, str(value))

    def texts(self, where: str, texts: Iterable[str]) -> None:
        for text in texts:
            self.text(where, text)
