# BARTR: two commands on a fresh machine.
#   make run   -> installs what is missing, migrates, seeds demo data once, serves http://localhost:3000
#   make test  -> installs what is missing, lints, type-checks (services and models strict,
#                 states), runs the whole test suite
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
BUN_VERSION := 1.4.4
export PATH := $(CURDIR)/.tools/node_modules/.bin:$(PATH)
export REFLEX_USE_SYSTEM_BUN := 1
export REFLEX_TELEMETRY_ENABLED := false
export REFLEX_CHECK_LATEST_VERSION := 0

.PHONY: run test install install-dev bun migrate seed lint bench browser clean

$(BIN)/python:
	@echo "==> creating virtual environment in $(VENV)"
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	@echo "==> installing Python packages (requirements.txt)"
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	@echo "==> installing test tools (requirements-dev.txt)"
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

.tools/node_modules/.bin/bun:
	@echo "==> installing bun $(BUN_VERSION) from the npm registry into .tools/"
	npm install --silent --no-audit --no-fund --prefix .tools bun@$(BUN_VERSION)

install: $(VENV)/.installed bun
install-dev: $(VENV)/.installed-dev bun
bun: .tools/node_modules/.bin/bun

migrate: $(VENV)/.installed
	@echo "==> migrating the database"
	$(BIN)/python -m bartr.cli migrate

seed: migrate
	@echo "==> demo data (first run only)"
	$(BIN)/python -m bartr.cli seed-demo

run: install seed
	@echo "==> building and serving (production build)"
	@bash scripts/serve.sh

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check bartr tests bench
	$(BIN)/ruff format --check bartr tests bench
	$(BIN)/mypy --strict bartr/services bartr/models
	$(BIN)/mypy bartr/state

browser:
	@bash scripts/ensure-chromium.sh

test: install-dev browser lint
	@echo "==> service, API, state and migration tests (2 workers)"
	$(BIN)/python -m pytest -n 2 -q --ignore=tests/e2e
	@echo "==> browser tests (one production build, one worker)"
	$(BIN)/python -m pytest -p no:xdist -q tests/e2e

# Every benchmark, one table (figure, floor measured in the same run, ratio); ~10 minutes
# on 2 cores. It builds and serves the app it measures itself (ports 3141-3142).
# `make bench BENCH_ARGS=--quick` for smaller sizes.
bench: install-dev bun browser
	$(BIN)/python -m bench.run_all $(BENCH_ARGS)

clean:
	rm -rf .web .states .web-e2e .states-e2e .web-bench .states-bench
