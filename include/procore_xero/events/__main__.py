"""``python -m procore_xero.events serve``: the webhook intake as its own process (see docs/fidelity.md)."""

from __future__ import annotations

import argparse
import logging
import os

import uvicorn

from procore_xero.events.intake import create_intake_app
from procore_xero.staging import open_staging


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m procore_xero.events")
    parser.add_argument("command", choices=["serve"])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8710)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    engine = open_staging()
    app = create_intake_app(
        engine,
        procore_token=os.environ.get("PXSYNC_PROCORE_WEBHOOK_TOKEN", ""),
        xero_key=os.environ.get("PXSYNC_XERO_WEBHOOK_KEY", ""),
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
