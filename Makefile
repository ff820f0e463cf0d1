# One-command setup: every target bootstraps .venv from requirements.txt (the development lock: the runtime
# lock requirements-runtime.txt, which the Docker image installs alone, plus tools and tests).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export AIRFLOW_HOME ?= $(CURDIR)/.airflow
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__PLUGINS_FOLDER := $(CURDIR)/plugins
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export PXSYNC_DATA_DIR ?= $(CURDIR)/data

.PHONY: venv test lint audit js-sdk demo airflow cluster month-end bench soak sandbox lock clean

venv: $(STAMP)

$(STAMP): requirements.txt requirements-runtime.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is required (Airflow 3.3 pins are for Python 3.11)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy  # files and per-module settings: pyproject.toml [tool.mypy]

audit: $(STAMP)  # pip-audit over requirements.txt; exceptions in tools/audit_ignore.txt (docs/security.md)
	$(BIN)/python -m tools.audit_pins

# Procore's JavaScript SDK for tests/contract/test_procore_js_sdk.py, from its lock (nothing downloads at test time).
JS_SDK := tests/contract/js_sdk
js-sdk: $(JS_SDK)/node_modules/.package-lock.json

$(JS_SDK)/node_modules/.package-lock.json: $(JS_SDK)/package.json $(JS_SDK)/package-lock.json
	@if [ "$$PXSYNC_SKIP_NODE" = 1 ]; then echo "PXSYNC_SKIP_NODE=1: $(JS_SDK) not installed"; \
	else npm ci --prefix $(JS_SDK) --no-audit --no-fund --loglevel=error; fi

test: lint audit js-sdk
	$(BIN)/python -m pytest

demo: $(STAMP)
	$(BIN)/python -m tools.demo

sandbox: $(STAMP)
	$(BIN)/python -m sandbox serve --procore-port 8701 --xero-port 8702 --seed demo

# Ports, AIRFLOW_HOME, data dir and staging URL: make airflow AIRFLOW_ARGS="--port 8090" (see --help).
airflow: $(STAMP)
	$(BIN)/python -m tools.airflow_standalone $(AIRFLOW_ARGS)

# docker-compose.yaml's Celery topology as processes (PostgreSQL, Redis, two workers): make cluster CLUSTER_ARGS="--workers 3"
cluster: $(STAMP)
	$(BIN)/python -m tools.cluster --home $(CURDIR)/.cluster --data-dir $(CURDIR)/.cluster/data $(CLUSTER_ARGS)

# The controller's month-end in the Xero sandbox make airflow started (pays synced bills, enters bills and a PO).
XERO_URL ?= http://127.0.0.1:8702
month-end: $(STAMP)
	$(BIN)/python -m sandbox controller --xero-url $(XERO_URL) --scenario month-end

bench: $(STAMP)
	$(BIN)/python -m tools.bench

# The long fault soak (tests/soak runs a short one); override with e.g. make soak SOAK_ARGS="--cycles 40".
soak: $(STAMP)
	$(BIN)/python -m tools.soak --cycles 12 --seed 0 --scale 0.2 $(SOAK_ARGS)

# Re-resolve both locks after changing a direct dependency (needs the registry): the runtime lock from the
# DAGs' own dependencies alone, then the development lock as what the tools and tests add to it.
RUNTIME_DEPS := apache-airflow==3.3.2 apache-airflow-providers-celery apache-airflow-providers-redis \
  apache-airflow-providers-http apache-airflow-providers-smtp apache-airflow-providers-standard pandas \
  sqlalchemy great-expectations requests pyyaml jsonschema matplotlib psycopg2-binary asyncpg
DEV_DEPS := pytest aiosmtpd ruff playwright pip-audit xero-python setuptools wheel \
  mypy pandas-stubs types-PyYAML types-requests types-jsonschema types-psycopg2
lock:
	rm -rf .lockvenv && $(PYTHON) -m venv .lockvenv
	.lockvenv/bin/pip install --quiet $(RUNTIME_DEPS)
	{ sed -n '1,/^# Regenerate/p' requirements-runtime.txt; .lockvenv/bin/pip freeze | grep -v '^pip=='; } > requirements-runtime.txt.new
	.lockvenv/bin/pip install --quiet -c requirements-runtime.txt.new $(DEV_DEPS)
	{ sed -n '1,/^-r /p' requirements.txt; .lockvenv/bin/pip freeze --all | grep -v '^pip==' \
	  | grep -vxiF -f requirements-runtime.txt.new; } > requirements.txt.new
	mv requirements-runtime.txt.new requirements-runtime.txt && mv requirements.txt.new requirements.txt
	rm -rf .lockvenv

clean:
	rm -rf $(VENV) .airflow .cluster out data .pytest_cache .ruff_cache
