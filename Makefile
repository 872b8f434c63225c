# The two commands of the README: `make run` and `make test`. Both set themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 3000

.PHONY: install run test lint validate openapi bench clean e2e localstack-deploy

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

# The OpenAPI document, generated from the route functions into the layer before a run or a build.
OPENAPI := layers/paygate/paygate/api/static/openapi.json
$(OPENAPI): $(STAMP) $(wildcard functions/*/app.py) $(shell find layers/paygate/paygate -name '*.py')
	$(BIN)/python -m paygate.api.openapi --out $@

openapi: $(OPENAPI)

run: install $(OPENAPI)
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

test: lint $(CHROMIUM) $(OPENAPI)
	$(BIN)/pytest

# Every benchmark (benchmarks/*.py), then benchmarks/RESULTS.md with the figures and the machine.
bench: install
	$(BIN)/python benchmarks/run_all.py

# The e2e flows against any deployed stack in test mode: make e2e BASE_URL=https://.../v1
e2e: install
	E2E_BASE_URL=$(BASE_URL) $(BIN)/pytest tests/e2e

localstack-deploy: install
	PAYGATE=$(BIN)/paygate infra/localstack/deploy.sh

# 500 payments + refunds with 10 % faults per rule and call (infra/localcloud/faults.py); prints the
# figures and writes them into benchmarks/RESULTS.md (its "soak" section, kept by make bench).
soak: install
	$(BIN)/python -m tests.soak.soak --payments 500 --p 0.1 --results benchmarks/RESULTS.md

clean:
	rm -rf $(VENV) $(SAM_VENV) .pytest_cache .ruff_cache build *.egg-info

# schemathesis against localcloud, every operation, many more examples than `make test` runs
.PHONY: fuzz
fuzz: install
	PAYGATE_FUZZ_RANDOM=1 PAYGATE_FUZZ_EXAMPLES=$${PAYGATE_FUZZ_EXAMPLES:-200} $(BIN)/pytest -q -p no:cacheprovider tests/contract/test_fuzz.py
