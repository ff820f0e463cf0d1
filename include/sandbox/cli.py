"""``python -m sandbox``: serve the emulators, write or summarise a seed, or act as the Xero controller."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import requests

from sandbox.core.admin_peers import AdminPeers
from sandbox.seed import load_seed, summarise_seed
from sandbox.server import SandboxOptions, serve


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def add_seed_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("--seed", default="demo", help="'demo' (generated) or the path of a seed JSON file")
        p.add_argument("--scale", type=float, default=1.0, help="multiply the demo seed (benchmarks)")

    p_serve = sub.add_parser("serve", help="start both emulators on loopback")
    add_seed_args(p_serve)
    p_serve.add_argument("--host", default="127.0.0.1", help="where the APIs listen (default loopback)")
    p_serve.add_argument(
        "--admin-from",
        action="append",
        default=[],
        metavar="CIDR",
        help="also admit this network to the /_sandbox admin routes (repeatable); for the compose "
        "evaluation network only: they hand out the seed's secrets",
    )
    p_serve.add_argument("--procore-port", type=int, default=8701)
    p_serve.add_argument("--xero-port", type=int, default=8702)
    p_serve.add_argument("--clock-speed", type=float, default=1.0, help="sandbox seconds per real second")
    p_serve.add_argument("--latency-ms", type=float, default=0.0, help="added to every API call")
    p_serve.add_argument(
        "--xero-spec", type=Path, default=None, help="Xero's OpenAPI file for body validation"
    )

    p_write = sub.add_parser("seed", help="write a seed JSON file")
    add_seed_args(p_write)
    p_write.add_argument("--out", type=Path, required=True)

    p_sum = sub.add_parser("summary", help="print what a seed holds")
    add_seed_args(p_sum)

    p_ctl = sub.add_parser("controller", help="run controller actions on the Xero sandbox (pay bills, ...)")
    p_ctl.add_argument("--xero-url", default="http://127.0.0.1:8702", help="the running Xero emulator")
    what = p_ctl.add_mutually_exclusive_group(required=True)
    what.add_argument("--actions", type=Path, help='JSON: [actions] or {"tenant_id", "actions"}')
    what.add_argument(
        "--scenario", choices=["month-end"], help="a scripted controller session (prints its record)"
    )
    p_ctl.add_argument("--seed", type=int, default=0, help="--scenario: the random seed of its choices")
    p_ctl.add_argument("--tenant-id", default=None, help="default: the body's tenant_id, else the first")
    return parser


def scenario(xero_url: str, seed: int, tenant_id: str | None) -> int:
    """Run the month-end scenario and print its record as JSON; 1 when the state cannot carry it."""
    from sandbox.scenario import ScenarioError, run_month_end

    try:
        record = run_month_end(xero_url, tenant_id=tenant_id, seed=seed)
    except ScenarioError as exc:
        print(f"sandbox: {exc}", file=sys.stderr)
        return 1
    except requests.RequestException as exc:
        print(f"sandbox: cannot reach {xero_url}: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(record, indent=2, ensure_ascii=False))
    return 0


def controller(xero_url: str, actions_path: Path, tenant_id: str | None) -> int:
    """POST the actions file to ``/_sandbox/controller`` and print the answer; 1 when it is refused."""
    try:
        loaded = json.loads(actions_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"sandbox: cannot read {actions_path}: {exc}", file=sys.stderr)
        return 2
    body = loaded if isinstance(loaded, dict) else {"actions": loaded}
    if tenant_id:
        body = {**body, "tenant_id": tenant_id}
    try:
        answer = requests.post(f"{xero_url.rstrip('/')}/_sandbox/controller", json=body, timeout=60)
    except requests.RequestException as exc:
        print(f"sandbox: cannot reach {xero_url}: {exc}", file=sys.stderr)
        return 2
    try:
        print(json.dumps(answer.json(), indent=2, ensure_ascii=False))
    except ValueError:
        print(f"{answer.status_code} {answer.text}")
    return 0 if answer.ok else 1


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "controller" and args.scenario:
        return scenario(args.xero_url, args.seed, args.tenant_id)
    if args.command == "controller":
        return controller(args.xero_url, args.actions, args.tenant_id)
    try:
        seed = load_seed(args.seed, scale=args.scale)
    except (OSError, ValueError) as exc:
        print(f"sandbox: cannot load seed {args.seed!r}: {exc}", file=sys.stderr)
        return 2
    if args.command == "seed":
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(seed, indent=1, ensure_ascii=False), encoding="utf-8")
        print(f"sandbox: wrote {args.out}")
    elif args.command == "summary":
        print(json.dumps(summarise_seed(seed), indent=2))
    else:
        try:
            admin_peers = AdminPeers.parse(args.admin_from)
        except ValueError as exc:
            print(f"sandbox: --admin-from: {exc}", file=sys.stderr)
            return 2
        if args.host not in ("127.0.0.1", "::1", "localhost"):
            admitted = ", ".join(map(str, admin_peers.networks)) or "none"
            print(f"sandbox: serving on {args.host}; /_sandbox admin routes: loopback + {admitted}")
        serve(
            seed,
            SandboxOptions(
                host=args.host,
                procore_port=args.procore_port,
                xero_port=args.xero_port,
                clock_speed=args.clock_speed,
                latency_ms=args.latency_ms,
                xero_spec=args.xero_spec,
                admin_peers=admin_peers,
            ),
        )
    return 0
