"""``make audit``: pip-audit over the pins of ``requirements.txt`` against PyPI's advisory data.

pip-audit runs without a resolver or a temporary virtualenv (``--no-deps --disable-pip``: every line is an
exact pin) and asks PyPI for each pin's own JSON (``/pypi/<name>/<version>/json``). A registry that serves
only project JSON (``/pypi/<name>/json``, like the mirror this project is built behind) answers 404 there,
and pip-audit then *skips* the pin yet still prints "No known vulnerabilities found". So a skipped pin is
audited here from its project JSON when the pin is the latest release (that JSON's ``vulnerabilities`` are
the latest release's); a pin audited by neither is listed as NOT AUDITED (a warning: every upstream release
would otherwise break the build of an unchanged lock; ``audit_ignore.txt`` records the ones known and why),
and a registry that cannot be reached fails the audit with a message. Known findings that cannot be fixed are
listed in ``audit_ignore.txt`` (passed to pip-audit as ``--ignore-vuln``) and explained in
``docs/security.md``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]
REQUIREMENTS = REPO / "requirements.txt"
IGNORE_FILE = Path(__file__).with_name("audit_ignore.txt")
PROJECT_JSON = "https://pypi.org/pypi/{name}/json"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)\s*(?:#.*)?$")


class AuditError(Exception):
    """The audit could not be done (registry unreachable, unreadable answer): never a pass."""


@dataclass(frozen=True)
class Exceptions:
    """``audit_ignore.txt``: vulnerability ids to ignore, and pins acknowledged as not auditable here."""

    vulns: tuple[str, ...] = ()
    unaudited: frozenset[str] = field(default_factory=frozenset)  # "name==version", canonical name

    @classmethod
    def read(cls, path: Path) -> Exceptions:
        vulns, unaudited = [], set()
        for line in path.read_text(encoding="utf-8").splitlines():
            entry = line.split("#", 1)[0].strip()
            if entry.startswith("unaudited "):
                name, _, version = entry.removeprefix("unaudited ").strip().partition("==")
                unaudited.add(f"{canonicalize_name(name)}=={version}")
            elif entry:
                vulns.append(entry)
        return cls(tuple(vulns), frozenset(unaudited))


def pins(path: Path) -> dict[str, str]:
    """Canonical name -> pinned version, for every ``name==version`` line, and those of the files it
    includes with ``-r`` (requirements.txt includes the runtime lock)."""
    found: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("-r "):
            found |= pins(path.parent / line[3:].strip())
        elif match := PIN.match(line.strip()):
            found[canonicalize_name(match.group(1))] = match.group(2)
    return found


def pip_audit(requirements: Path, ignored: tuple[str, ...]) -> list[dict[str, Any]]:
    """pip-audit's JSON ``dependencies`` (each with ``vulns`` or a ``skip_reason``)."""
    command = [sys.executable, "-m", "pip_audit", "--no-deps", "--disable-pip", "-r", str(requirements)]
    command += ["--format", "json", "--progress-spinner", "off", "--timeout", "30"]
    command += [flag for vuln in ignored for flag in ("--ignore-vuln", vuln)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    try:
        return json.loads(done.stdout)["dependencies"]
    except (ValueError, KeyError):
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise AuditError(
            f"pip-audit could not query PyPI's advisory data (exit {done.returncode}): {last}"
        ) from None


def project_vulns(session: requests.Session, name: str, version: str) -> list[dict[str, Any]] | None:
    """The advisories of ``name`` ``version`` from the project JSON, or None when the pin is not its latest
    release (the project JSON says nothing about older ones)."""
    try:
        answer = session.get(PROJECT_JSON.format(name=name), timeout=30)
        answer.raise_for_status()
        project = answer.json()
    except (requests.RequestException, ValueError) as error:
        raise AuditError(f"cannot read PyPI's JSON for {name}: {error}") from None
    if project["info"]["version"] != version:
        return None
    return [v for v in project.get("vulnerabilities") or [] if not v.get("withdrawn")]


def audit(requirements: Path = REQUIREMENTS, exceptions_file: Path = IGNORE_FILE) -> int:
    """Print what was audited and found; 1 on any vulnerability not ignored, else 0 (pins this registry
    cannot audit are listed, not failed)."""
    exceptions, pinned = Exceptions.read(exceptions_file), pins(requirements)
    findings: list[str] = []
    unaudited: list[str] = []
    from_project, ignored = 0, set(exceptions.vulns)
    dependencies = pip_audit(requirements, exceptions.vulns)
    skipped = [canonicalize_name(d["name"]) for d in dependencies if "skip_reason" in d]
    session = requests.Session()
    with ThreadPoolExecutor(max_workers=8) as pool:  # one small GET per pin pip-audit had to skip
        fallback = dict(
            zip(skipped, pool.map(lambda n: project_vulns(session, n, pinned[n]), skipped), strict=True)
        )
    for dependency in dependencies:
        name = canonicalize_name(dependency["name"])
        vulns = dependency.get("vulns", [])
        if name in fallback:
            if fallback[name] is None:
                unaudited.append(f"{name}=={pinned[name]}")
                continue
            from_project += 1
            vulns = [v for v in fallback[name] or [] if not {v["id"], *v.get("aliases", [])} & ignored]
        for vuln in vulns:
            fixed = ", ".join(vuln.get("fix_versions") or vuln.get("fixed_in") or []) or "no release"
            findings.append(f"{name}=={pinned[name]}: {vuln['id']} (fixed in {fixed})")
    unacknowledged = [pin for pin in unaudited if pin not in exceptions.unaudited]
    print(
        f"audit of {len(pinned)} pins: {len(pinned) - from_project - len(unaudited)} by pip-audit, "
        f"{from_project} from the project JSON, {len(unaudited)} not auditable from this registry "
        f"({len(unaudited) - len(unacknowledged)} acknowledged); {len(exceptions.vulns)} ignored id(s)"
    )
    for line in findings:
        print(f"  VULNERABLE {line}")
    for pin in unacknowledged:
        print(f"  NOT AUDITED {pin}: its own JSON is not served and it is not the latest release (warning)")
    return 1 if findings else 0


def main() -> int:
    try:
        return audit()
    except AuditError as error:
        print(f"audit FAILED: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
