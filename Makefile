# The two commands of the README: `make run` and `make test`. Both set themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 3000

.PHONY: install run test lint validate bench clean e2e localstack-deploy

$(STAMP): pyproject.toml layers/paygate/requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Browser tests drive Debian's Chromium (Playwright's own browser download cannot run here).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	command -v apt-get >/dev/null || { echo "install Chromium at $(CHROMIUM)"; exit 1; }
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null

run: install
	$(BIN)/paygate local --port $(PORT)

# `sam validate --lint`, offline, in its own venv: the SAM CLI pins its own translator and cfn-lint.
SAM_VENV := .venv-sam
$(SAM_VENV)/bin/sam:
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet aws-sam-cli==1.170.0

validate: $(SAM_VENV)/bin/sam
	SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION=us-east-1 $(SAM_VENV)/bin/sam validate --lint -t template.yaml

lint: install validate
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/cfn-lint template.yaml tests/localcloud_app/template.yaml

test: lint $(CHROMIUM)
	$(BIN)/pytest

bench: install
	$(BIN)/python benchmarks/runtime_overhead.py
	$(BIN)/python benchmarks/payments.py
	$(BIN)/python benchmarks/webhooks.py

# The e2e flows against any deployed stack in test mode: make e2e BASE_URL=https://.../v1
e2e: install
	E2E_BASE_URL=$(BASE_URL) $(BIN)/pytest tests/e2e

localstack-deploy:
	infra/localstack/deploy.sh

clean:
	rm -rf $(VENV) $(SAM_VENV) .pytest_cache .ruff_cache build *.egg-info
