"""No secret in clear anywhere a day of sync leaves traces, and refresh tokens stored encrypted.

The DAGs run in-process against the sandbox with known secrets: Procore -> Xero, the controller's month end,
Xero extract, Xero -> Procore, job costs, the drift report mailed through an SMTP server that needs a
password, then a run that fails on revoked tokens. Then every place is searched for every secret, in clear,
URL-encoded or base64 (``tests/security/leaks.py``): the task log files under ``AIRFLOW_HOME/logs``, every
table of the Airflow metadata database (XCom, task instances, HITL, ...) and of the staging database, the
data directory (drift history), the drift report files, the exception messages and the captured
stdout/stderr. The secrets are the sandboxes' client secrets and first refresh tokens, every access and
refresh token they issued during the run (read back from the encrypted token store; the sandbox's token
call counts prove none is missing), ``PXSYNC_TOKEN_KEY`` and the SMTP password.
"""

from __future__ import annotations

import os
import traceback
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from procore_xero.airflow.hooks import XeroHook
from procore_xero.clients import ClientError
from procore_xero.clients.token_store import TOKEN_KEY_ENV, TokenCipher
from procore_xero.mapping import load_spec
from procore_xero.reports import write_report_files
from procore_xero.staging import TenantKey, create_staging_engine
from procore_xero.staging.schema import oauth_tokens
from sandbox.process import SandboxProcess
from tests.dags.round_trip import month_end_round_trip
from tests.security.conftest import LoginMailbox
from tests.security.leaks import LeakScan
from tools.extract_env import load_dag, patched_environ, sandbox_now, settings_file

CONTROLLER = "controller@example.com"
TOKEN_ROUTES = {"procore": "POST /oauth/token", "xero": "POST /connect/token"}


def drift_settings(tmp_path: Path) -> str:
    """The default settings with Xero POs on and a controller to mail the report to."""
    path = settings_file(tmp_path / "security-settings.yaml", xero_purchase_orders=True)
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    document["settings"].update(controller_emails=[CONTROLLER], from_email="pxsync@example.com")
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return str(path)


def seed_secrets(sandbox: SandboxProcess) -> dict[str, str]:
    """Client secrets and first refresh tokens of every app both sandboxes know."""
    found: dict[str, str] = {}
    for service, key in (("procore", "clients"), ("xero", "apps")):
        for app in sandbox.admin(service, "GET", "credentials")[key]:
            for field in ("client_secret", "refresh_token"):
                if app.get(field):
                    found[f"{service} {app['client_id']} {field}"] = app[field]
    return found


def stored_tokens(staging_url: str) -> tuple[dict[str, str], list[str]]:
    """The tokens in ``oauth_tokens``, decrypted with ``PXSYNC_TOKEN_KEY``; and the raw ciphertexts."""
    cipher = TokenCipher.from_env()
    engine = create_staging_engine(staging_url)
    with engine.connect() as connection:
        rows = connection.execute(select(oauth_tokens.c.token_key, oauth_tokens.c.ciphertext)).all()
    engine.dispose()
    tokens: dict[str, str] = {}
    for key, ciphertext in rows:
        token = cipher.decrypt(ciphertext, key)
        for field in ("access_token", "refresh_token"):
            if getattr(token, field):
                tokens[f"stored {key} {field}"] = getattr(token, field)
    return tokens, [ciphertext for _, ciphertext in rows]


def tokens_issued(sandbox: SandboxProcess) -> dict[str, int]:
    """Token requests per sandbox since its reset, from its own call counters (no faults: all granted)."""
    return {
        service: int(sandbox.admin(service, "GET", "stats")["calls"].get(route, 0))
        for service, route in TOKEN_ROUTES.items()
    }


def metadata_db() -> Path:
    from airflow.configuration import conf

    url = conf.get("database", "sql_alchemy_conn")
    assert url.startswith("sqlite:///"), f"the metadata database is searched as SQLite here, not {url}"
    return Path(url.removeprefix("sqlite:///"))


def failing_run(dag_id: str, sandbox: SandboxProcess) -> Any:
    """One run whose tasks fail at once (no retries: their delay would only make the test wait), so their
    exceptions land in the task log as a worker would log them."""
    dag = load_dag(dag_id)
    for task in dag.tasks:
        task.retries = 0
    return dag.test(logical_date=sandbox_now(sandbox))


def refused_call_messages() -> list[str]:
    """What a caller sees when Xero refuses the (revoked) tokens: message, repr, args, traceback."""
    with pytest.raises(ClientError) as refused:
        XeroHook().get_client().get("Organisation")
    error = refused.value
    return [str(error), repr(error), *map(str, error.args), *traceback.format_exception(error)]


def test_a_day_of_runs_leaves_no_secret_in_clear(
    sandbox: SandboxProcess,
    synced_env: str,
    tmp_path: Path,
    task_log: Path,
    smtp_login: LoginMailbox,
    capfd: pytest.CaptureFixture[str],
) -> None:
    day: date = sandbox_now(sandbox).date()
    with patched_environ({"PXSYNC_SETTINGS": drift_settings(tmp_path)}):
        month_end_round_trip(sandbox, tmp_path)
        report = load_dag("drift_report").test(logical_date=sandbox_now(sandbox), run_conf={"date": str(day)})
    assert report.state == "success"
    subjects = [message["Subject"] for _, message in smtp_login.messages]
    assert any("drift" in subject.lower() for subject in subjects), subjects
    assert all(rcpt == [CONTROLLER] for rcpt, _ in smtp_login.messages)
    assert smtp_login.logins and all(smtp_login.logins), "the mail went out with the SMTP password"

    issued = tokens_issued(sandbox)
    tokens, ciphertexts = stored_tokens(synced_env)
    sandbox.admin("xero", "POST", "faults", {"kind": "revoke_tokens"})
    failed = failing_run("xero_extract", sandbox)
    assert failed.state == "failed", "revoked tokens must fail the run"
    messages = refused_call_messages()

    known = {
        **seed_secrets(sandbox),
        **tokens,
        TOKEN_KEY_ENV: os.environ[TOKEN_KEY_ENV],
        "smtp password": smtp_login.password,
    }
    # every token the sandboxes issued is known: one per grant, none rotated away unseen
    access = {name for name in tokens if name.endswith("access_token")}
    assert issued["procore"] + issued["xero"] == len(access), (issued, sorted(tokens))
    assert any(name.startswith("stored xero:") and name.endswith("refresh_token") for name in tokens)

    scan = LeakScan(known)
    logs = sorted(p for p in task_log.parents[1].rglob("*") if p.is_file())
    assert task_log in logs and task_log.stat().st_size > 0
    log_text = task_log.read_text(encoding="utf-8")
    for proof in ('"logger":"task"', "refresh token rotated and stored", "drift_report", "invalid_grant"):
        assert proof in log_text, f"the task log lacks {proof!r}: it would prove nothing"
    for path in logs:
        scan.file(path)
    scan.sqlite(metadata_db())
    files = write_report_files(
        create_staging_engine(synced_env),
        TenantKey(sandbox.admin("procore", "GET", "credentials")["company_id"], tenant_id(sandbox)),
        load_spec(),
        tmp_path / "report",
        report_date=day,
    )
    assert all(path.stat().st_size for path in files.paths())
    scanned_files = scan.tree(tmp_path)  # staging database, data dir (drift history), report files
    assert Path(synced_env.removeprefix("sqlite:///")) in scanned_files
    for _, message in smtp_login.messages:
        scan.text("mail sent", message.as_string())
    scan.texts("exception", messages)
    captured = capfd.readouterr()
    scan.texts("captured output", [captured.out, captured.err])
    print(f"secrets searched: {len(known)}; scanned: {dict(scan.scanned)}")

    assert scan.findings == []
    assert ciphertexts and all(c and c.startswith("gAAAAA") for c in ciphertexts), "Fernet tokens only"


def tenant_id(sandbox: SandboxProcess) -> Any:
    return sandbox.admin("xero", "GET", "credentials")["apps"][0]["tenant_ids"][0]
