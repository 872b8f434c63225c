# The two commands of the README: `make run` and `make test`. Both set themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 3000

.PHONY: install run test lint validate openapi build layer-check bench clean e2e localstack-deploy

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
$(OPENAPI): $(STAMP) $(shell find functions layers/paygate/paygate -name '*.py')
	$(BIN)/python -m paygate.api.openapi --out $@

openapi: $(OPENAPI)

run: install $(OPENAPI)
	$(BIN)/paygate local --port $(PORT)

# `sam validate --lint`, offline, in its own venv: the SAM CLI pins its own translator and cfn-lint.
SAM_VENV := .venv-sam
$(SAM_VENV)/bin/sam:
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet aws-sam-cli==1.170.0

SAM := SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION=us-east-1 $(SAM_VENV)/bin/sam

# the root and each context's nested stack (infra/stacks/): sam validates one template at a time
validate: $(SAM_VENV)/bin/sam
	for t in template.yaml infra/stacks/*.yaml; do $(SAM) validate --lint -t $$t || exit 1; done

# Every pinned layer distribution has a wheel `sam build` accepts for the python3.11 arm64 layer: cp311
# (or abi3 / pure Python) tagged manylinux2014 / manylinux_2_17 aarch64, SAM CLI 1.170.0's list for
# python3.11. Asks the index, so it runs only when requirements.txt changes (docs/deploy.md).
LAYER_REQUIREMENTS := layers/paygate/requirements.txt
LAYER_CHECK := build/layer-wheels/checked
ARM64_WHEELS := --only-binary=:all: --platform manylinux2014_aarch64 --platform manylinux_2_17_aarch64 \
	--python-version 3.11 --implementation cp --abi cp311 --abi abi3 --abi none
$(LAYER_CHECK): $(LAYER_REQUIREMENTS) | $(SAM_VENV)/bin/sam
	rm -rf $(@D)
	$(SAM_VENV)/bin/python -m pip download --quiet --no-deps $(ARM64_WHEELS) -d $(@D) -r $<
	touch $@

layer-check: $(LAYER_CHECK)

# `sam build` of the root template and the nested stacks it names, into build/sam, as a deployer runs
# it (needs python3.11 on PATH). --cached: build/build.toml keeps each function's and the layer's source
# and manifest hashes, build/cache their last build, .aws-sam/deps the layer's installed wheels; only
# what changed is rebuilt, and pip (online) runs again only when requirements.txt changes.
build: $(SAM_VENV)/bin/sam $(OPENAPI) $(LAYER_CHECK)
	$(SAM) build -t template.yaml --build-dir build/sam --cache-dir build/cache --cached --parallel

lint: install validate
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/cfn-lint template.yaml infra/stacks/*.yaml tests/localcloud_app/template.yaml tests/localcloud_app/stacks/*.yaml

# Two workers (CI has 2 cores; the suite mostly waits on localcloud, servers and HTTP). loadgroup: the
# groups tests/conftest.py gives (a package with one localcloud runtime whole on one worker, else a
# module) never split. `pytest tests/x.py` alone stays serial (docs/operations.md, "The test suite").
test: lint build $(CHROMIUM) $(OPENAPI)
	$(BIN)/pytest -n 2 --dist loadgroup

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
	rm -rf $(VENV) $(SAM_VENV) .pytest_cache .ruff_cache build .aws-sam *.egg-info

# schemathesis against localcloud, every operation, many more examples than `make test` runs
.PHONY: fuzz
fuzz: install
	PAYGATE_FUZZ_RANDOM=1 PAYGATE_FUZZ_EXAMPLES=$${PAYGATE_FUZZ_EXAMPLES:-200} $(BIN)/pytest -q -p no:cacheprovider tests/contract/test_fuzz.py
