"""Static checks of docker-compose.yaml, Dockerfile, .env.example and deploy/ (no Docker engine here)."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tools.env_file import read_env_file

REPO = Path(__file__).resolve().parents[3]
COMPOSE_TEXT = (REPO / "docker-compose.yaml").read_text(encoding="utf-8")
COMPOSE: dict[str, Any] = yaml.safe_load(COMPOSE_TEXT)
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
ONE_SHOT = {"airflow-init"}
AIRFLOW_COMMANDS = {
    "airflow-apiserver": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-dag-processor": "dag-processor",
    "airflow-triggerer": "triggerer",
    "airflow-worker": "celery worker",
}
# ${VAR}, ${VAR:-default}, ${VAR:?message}; $${VAR} is the container shell's, not compose's.
COMPOSE_VAR = re.compile(r"(?<!\$)\$\{([A-Z_][A-Z0-9_]*)(?:[:?-][^}]*)?\}")


def _env_example() -> dict[str, str]:
    pairs = {}
    for line in (REPO / ".env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs


def _load_init_module():
    spec = importlib.util.spec_from_file_location("pxsync_airflow_init", REPO / "deploy" / "airflow_init.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.partition("=")[::2] for item in env)
    return {k: str(v) for k, v in env.items()}


def _settings(service: dict[str, Any]) -> dict[str, str]:
    """What the service's Airflow sees: its required env files (deploy/airflow.env), then ``environment:``
    (which compose lets win). The optional .env holds secrets only."""
    files = [entry for entry in service.get("env_file") or [] if entry.get("required", True)]
    merged: dict[str, str] = {}
    for entry in files:
        merged |= read_env_file(REPO / entry["path"])
    return merged | _environment(service)


def test_compose_parses_with_the_required_services():
    expected = {"postgres", "redis", "mailpit", "sandbox", "airflow-init", *AIRFLOW_COMMANDS}
    assert expected <= set(SERVICES), expected - set(SERVICES)


@pytest.mark.parametrize("service, command", sorted(AIRFLOW_COMMANDS.items()))
def test_airflow_services_run_the_right_command_on_the_project_image(service, command):
    spec = SERVICES[service]
    assert spec["command"] == command
    assert spec["image"] == "pxsync-airflow:0.1.0"
    assert spec["build"] == "."
    assert _settings(spec)["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"


def test_worker_can_scale():
    worker = SERVICES["airflow-worker"]
    assert "container_name" not in worker and "ports" not in worker


def test_every_image_is_pinned():
    for name, spec in SERVICES.items():
        image = spec["image"]
        repo, _, tag = image.rpartition(":")
        assert repo and tag and tag != "latest", f"{name}: {image}"
        assert re.search(r"\d", tag), f"{name}: {image} has no version in its tag"


def test_every_long_running_service_has_a_healthcheck():
    for name, spec in SERVICES.items():
        if name in ONE_SHOT:
            assert "restart" not in spec
            continue
        test = spec.get("healthcheck", {}).get("test")
        assert test and test[0] in ("CMD", "CMD-SHELL"), name
        assert spec.get("restart") == "always", name


def test_scheduler_health_endpoint_is_enabled():
    env = _settings(SERVICES["airflow-scheduler"])
    assert env["AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK"] == "True"
    assert "8974" in " ".join(SERVICES["airflow-scheduler"]["healthcheck"]["test"])


def test_compose_variables_and_env_example_match():
    code = "\n".join(line for line in COMPOSE_TEXT.splitlines() if not line.lstrip().startswith("#"))
    used = set(COMPOSE_VAR.findall(code))
    documented = set(_env_example())
    assert used == documented, {"not in .env.example": used - documented, "unused": documented - used}
    for secret in (
        "POSTGRES_PASSWORD",
        "STAGING_DB_PASSWORD",
        "AIRFLOW_FERNET_KEY",
        "AIRFLOW_JWT_SECRET",
        "PXSYNC_TOKEN_KEY",
        "AIRFLOW_ADMIN_PASSWORD",
        "PROCORE_CLIENT_SECRET",
        "XERO_CLIENT_SECRET",
        "SMTP_PASSWORD",
    ):
        assert secret in used


def test_env_example_holds_no_secret_values():
    for key, value in _env_example().items():
        if re.search(r"PASSWORD|SECRET|KEY|TOKEN$", key) and not key.endswith("_URL"):
            assert value == "", f".env.example: {key} must be empty"


def test_no_secret_literals_in_compose():
    secretish = re.compile(r"PASSWORD|SECRET|FERNET|TOKEN_KEY|JWT|CLIENT_ID|REFRESH_TOKEN")
    for name, spec in SERVICES.items():
        for key, value in _environment(spec).items():
            if secretish.search(key) and not key.endswith("_FILE"):
                assert value.startswith("${") and value.endswith("}"), f"{name}: {key} is inline"
    for url in re.findall(r"(?:postgresql\S*|redis)://[^\s\"']+", COMPOSE_TEXT):
        credentials = url.split("://", 1)[1].split("@")[0] if "@" in url else ""
        password = credentials.partition(":")[2]
        assert password == "" or password.startswith("${"), url


def test_secrets_stay_out_of_the_image():
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert not re.search(r"^COPY\b.*\s\.\s", dockerfile, re.M), "COPY . would bring .env and .venv along"
    copied = " ".join(re.findall(r"^COPY\s+(.*)$", dockerfile, re.M))
    assert ".env" not in copied and ".venv" not in copied


def test_postgres_has_separate_staging_database():
    init = (REPO / "deploy" / "postgres-init" / "10-staging-db.sh").read_text(encoding="utf-8")
    assert "CREATE DATABASE pxsync_staging OWNER pxsync" in init
    assert "./deploy/postgres-init:/docker-entrypoint-initdb.d:ro" in SERVICES["postgres"]["volumes"]
    assert _environment(SERVICES["postgres"])["POSTGRES_DB"] == "airflow"
    for name in AIRFLOW_COMMANDS:
        env = _environment(SERVICES[name])
        assert env["STAGING_DB_URL"].endswith("@postgres/pxsync_staging")
        assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].endswith("@postgres/airflow")
        assert {"PXSYNC_TOKEN_KEY", "PXSYNC_SETTINGS", "PXSYNC_XERO_POOL"} <= set(env)


def test_init_service_runs_the_init_script_and_gates_the_others():
    init = SERVICES["airflow-init"]
    assert init["entrypoint"] == ["python", "/opt/pxsync/deploy/airflow_init.py"]
    env = _environment(init)
    for var in (
        "PROCORE_CLIENT_ID",
        "XERO_CLIENT_ID",
        "XERO_REFRESH_TOKEN",
        "SMTP_HOST",
        "AIRFLOW_ADMIN_PASSWORD",
    ):
        assert env[var].startswith("${" + var), var
    for name in AIRFLOW_COMMANDS:
        depends = SERVICES[name]["depends_on"]
        assert depends["airflow-init"]["condition"] == "service_completed_successfully"
        assert depends["postgres"]["condition"] == "service_healthy"


def test_init_creates_the_pool_and_the_three_connections():
    init = _load_init_module()
    env = {
        "PXSYNC_XERO_POOL": "xero_acme",
        "PROCORE_CLIENT_ID": "pc-id",
        "PROCORE_CLIENT_SECRET": "pc-secret",
        "PROCORE_COMPANY_ID": "42",
        "XERO_CLIENT_ID": "x-id",
        "XERO_CLIENT_SECRET": "x-secret",
        "XERO_TENANT_ID": "t-1",
        "XERO_REFRESH_TOKEN": "r-1",
        "SMTP_HOST": "mailpit",
        "SMTP_PORT": "1025",
    }
    commands = init.init_commands(env)
    assert commands[0] == ["airflow", "db", "migrate"]
    assert commands[1][:5] == ["airflow", "pools", "set", "xero_acme", "5"]
    added = {c[3]: json.loads(c[5]) for c in commands if c[1:3] == ["connections", "add"]}
    assert set(added) == {"procore_default", "xero_default", "smtp_default"}
    assert added["procore_default"]["login"] == "pc-id"
    assert added["procore_default"]["extra"]["company_id"] == "42"
    assert added["xero_default"]["extra"] == {
        "tenant_id": "t-1",
        "token_url": "https://identity.xero.com/connect/token",
        "grant_type": "refresh_token",
        "refresh_token": "r-1",
    }
    assert added["smtp_default"]["conn_type"] == "smtp" and added["smtp_default"]["port"] == 1025
    assert added["smtp_default"]["extra"]["disable_tls"] is True


def test_connections_have_the_procore_and_xero_types_the_api_server_can_test():
    init = _load_init_module()
    commands = init.init_commands({"PROCORE_CLIENT_ID": "pc-id", "XERO_CLIENT_ID": "x-id"})
    added = {c[3]: json.loads(c[5]) for c in commands if c[1:3] == ["connections", "add"]}
    assert (added["procore_default"]["conn_type"], added["xero_default"]["conn_type"]) == ("procore", "xero")
    assert _settings(SERVICES["airflow-apiserver"])["AIRFLOW__CORE__TEST_CONNECTION"] == "Enabled"


def test_init_defaults_the_pool_and_skips_connections_without_client_id():
    init = _load_init_module()
    commands = init.init_commands({})
    assert commands[1][3:5] == ["xero_default", "5"]
    added = [c[3] for c in commands if c[1:3] == ["connections", "add"]]
    assert added == ["smtp_default"]


def test_init_creates_a_pool_per_tenant_of_the_tenants_file(tmp_path):
    init = _load_init_module()
    tenants = tmp_path / "tenants.yaml"
    tenants.write_text(
        "tenants:\n"
        "  - {name: north, procore_conn_id: procore_north, xero_conn_id: xero_north}\n"
        "  - {name: south, procore_conn_id: procore_south, xero_conn_id: xero_south, pool: xero_s}\n",
        encoding="utf-8",
    )
    commands = init.init_commands({"PXSYNC_TENANTS": str(tenants)})
    pools = [c[3:5] for c in commands if c[1:3] == ["pools", "set"]]
    assert pools == [["xero_default", "5"], ["xero_north", "5"], ["xero_s", "5"]]
    assert "PXSYNC_TENANTS" in SERVICES["airflow-scheduler"]["environment"]


def test_init_writes_the_admin_password_file(tmp_path):
    init = _load_init_module()
    target = tmp_path / "pw.json"
    env = {
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(target),
        "AIRFLOW_ADMIN_USER": "ops",
        "AIRFLOW_ADMIN_PASSWORD": "pw",
    }
    assert init.write_admin_password(env) == target
    assert json.loads(target.read_text()) == {"ops": "pw"}
    assert init.write_admin_password({**env, "AIRFLOW_ADMIN_PASSWORD": ""}) is None
    common = _environment(SERVICES["airflow-apiserver"])
    assert (
        common["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"]
        == "/opt/airflow/data/simple_auth_manager_passwords.json"
    )


def test_sandbox_is_an_optional_profile_serving_the_documented_ports():
    sandbox = SERVICES["sandbox"]
    assert sandbox["profiles"] == ["sandbox"]
    entry = sandbox["entrypoint"]
    assert entry[:4] == ["python", "-m", "sandbox", "serve"]
    args = dict(zip(entry[4::2], entry[5::2], strict=True))
    assert args == {"--host": "0.0.0.0", "--procore-port": "8701", "--xero-port": "8702", "--seed": "demo"}
    assert "ports" not in sandbox, "emulators are for the compose network only"
    others = [name for name, spec in SERVICES.items() if name != "sandbox" and spec.get("profiles")]
    assert others == []
    for spec in SERVICES.values():
        assert "sandbox" not in (spec.get("depends_on") or {})


def test_mail_catcher_is_the_default_smtp_target():
    assert SERVICES["mailpit"]["image"].startswith("axllent/mailpit:v")
    assert "1025" in SERVICES["mailpit"]["expose"]
    assert _environment(SERVICES["airflow-init"])["SMTP_HOST"] == "${SMTP_HOST:-mailpit}"
    assert _env_example()["SMTP_HOST"] == "mailpit"


def test_dockerfile_matches_the_airflow_pin():
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    base = re.search(r"^FROM\s+apache/airflow:(\d+\.\d+\.\d+)-python(\d+\.\d+)\s*$", dockerfile, re.M)
    assert base, "FROM apache/airflow:<version>-python<x.y>"
    runtime = (REPO / "requirements-runtime.txt").read_text()
    pin = re.search(r"^apache-airflow==(\S+)$", runtime, re.M)
    assert pin and base.group(1) == pin.group(1)
    assert base.group(2) == "3.11"  # pyproject: requires-python >=3.11,<3.12
    assert '"apache-airflow==${AIRFLOW_VERSION}" -r /opt/pxsync/requirements-runtime.txt' in dockerfile
    assert "requirements.txt" not in dockerfile.replace("requirements-runtime.txt", "")  # no dev tools
    for provider in ("celery", "redis"):  # the compose file's executor and broker
        assert re.search(rf"^apache-airflow-providers-{provider}==\S+$", runtime, re.M), provider
    for tool in ("pytest", "ruff", "playwright", "pip_audit", "aiosmtpd"):
        assert not re.search(rf"^{tool}==", runtime, re.M | re.I), f"{tool} is a development tool"
    assert (REPO / "requirements.txt").read_text().count("-r requirements-runtime.txt\n") == 1
    assert "-e /opt/pxsync" in dockerfile
    for path in ("include", "dags", "plugins", "deploy"):
        assert re.search(rf"^COPY .*\b{path} /opt/pxsync/{path}$", dockerfile, re.M), path


def test_referenced_volumes_are_declared_and_bind_mounts_exist():
    declared = set(COMPOSE["volumes"])
    used = set()
    for spec in SERVICES.values():
        for volume in spec.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith((".", "/")):
                assert (REPO / source).exists(), source
            else:
                used.add(source)
    assert used == declared == {"postgres-db", "airflow-logs", "pxsync-data"}


def test_the_shared_airflow_settings_hold_no_host_and_no_secret():
    """deploy/airflow.env is committed and read by make cluster too: no secret, no compose service name."""
    settings = read_env_file(REPO / "deploy" / "airflow.env")
    assert settings["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    for key, value in settings.items():
        assert not re.search(r"PASSWORD|SECRET|FERNET|TOKEN|_CONN|URL", key), key
        assert not re.search(r"postgres|redis|mailpit|://", value), f"{key}={value}"
    for name in AIRFLOW_COMMANDS:
        assert SERVICES[name]["env_file"][0] == {"path": "deploy/airflow.env", "required": True}
