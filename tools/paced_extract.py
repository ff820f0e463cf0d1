"""One try of a tenant's Procore extract in its own process, as ``procore_extract``'s task runs it
(``extract_procore_account``, clients sharing the account's rate budget), so a benchmark can SIGKILL it.

Each answer's rate-limit headers are appended to ``--calls-log`` (one JSON line per answer, written at
once), so the windows the extract used can be counted even for a process that was killed.

``python -m tools.paced_extract --run-id R --try-number 1 --window-end ISO --hourly-seconds 60
--calls-log calls.jsonl`` with ``STAGING_DB_URL`` and ``AIRFLOW_CONN_PROCORE_DEFAULT`` set
(``tools.extract_env.extract_env``); prints the extract's summary as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

import requests

DAG_ID, TASK_ID = "procore_extract", "extract_procore_tenant"
SECONDS_PER_HOUR = 3600.0


class AnswerLog:
    """Appends one line per answer: when, what was asked, the status and the rate-limit headers."""

    def __init__(self, path: Path) -> None:
        self._file: TextIO = path.open("a", encoding="utf-8", buffering=1)  # line-buffered: a kill loses none
        self._lock = threading.Lock()

    def __call__(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        url = urlsplit(response.url)
        entry = {
            "at": time.time(),
            "pid": os.getpid(),
            "method": response.request.method,
            "path": url.path,
            "query": url.query,
            "status": response.status_code,
            **{name: response.headers.get(f"X-Rate-Limit-{name.title()}") for name in ("limit", "remaining")},
            "reset": response.headers.get("X-Rate-Limit-Reset"),
        }
        with self._lock:
            self._file.write(json.dumps(entry) + "\n")


def client_factory(hourly_seconds: float, answers: AnswerLog) -> Any:
    """``new_client()`` for ``extract_procore_account``: a ``ProcoreClient`` per worker, one token provider,
    the account's budget shared through staging (its hour as long as the sandbox's, its margin scaled)."""
    from procore_xero.clients import ClientCredentialsProvider, ProcoreClient, TokenEndpoint
    from procore_xero.clients.shared_budget import procore_budget
    from procore_xero.staging import open_staging

    conn = json.loads(os.environ["AIRFLOW_CONN_PROCORE_DEFAULT"])
    auth = ClientCredentialsProvider(
        TokenEndpoint(conn["extra"]["token_url"], conn["login"], conn["password"], client_auth="form")
    )
    margin = hourly_seconds / SECONDS_PER_HOUR  # the production budget's 1 s an hour
    engine = open_staging()

    def new_client() -> Any:
        session = requests.Session()
        session.hooks["response"].append(answers)
        budget = procore_budget(engine, conn["login"], hourly_seconds=hourly_seconds, margin=margin)
        return ProcoreClient(
            conn["host"], auth, int(conn["extra"]["company_id"]), session=session, shared=budget
        )

    return new_client


def main(argv: list[str] | None = None) -> int:
    from procore_xero.extract.account import extract_procore_account
    from procore_xero.staging import TaskTry, open_staging

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run-id", required=True)
    parser.add_argument("--try-number", type=int, required=True)
    parser.add_argument("--window-end", type=datetime.fromisoformat, required=True)
    parser.add_argument("--hourly-seconds", type=float, required=True)
    parser.add_argument("--calls-log", type=Path, required=True)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args(argv)
    summary = extract_procore_account(
        client_factory(args.hourly_seconds, AnswerLog(args.calls_log)),
        open_staging(),
        task_try=TaskTry(DAG_ID, args.run_id, TASK_ID, try_number=args.try_number),
        window_end=args.window_end,
        concurrency=args.concurrency,
    )
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
