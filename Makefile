# Ardea developer commands. The two that matter on a fresh machine:
#   make run    set up .venv, build the web UI if needed, serve on http://127.0.0.1:5000
#   make test   install test deps and services, lint, run the whole test suite
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 5000
SERVER_ARGS ?=
PYTEST_ARGS ?=
# uv from PATH, else the one `pip install uv` puts into $(PYTHON)'s site-packages.
UV := $(shell command -v uv 2>/dev/null || echo $(PYTHON) -m uv)
VPY := $(VENV)/bin/python

.PHONY: help run test lint typecheck format bench clean install install-dev ui

help:
	@echo "make run    - install into $(VENV), build the UI if stale, serve on http://$(HOST):$(PORT)"
	@echo "make test   - install test deps, start PostgreSQL + MariaDB (as root), lint + mypy, run pytest"
	@echo "make lint   - ruff check + ruff format --check"
	@echo "make typecheck - mypy --strict over the modules listed in pyproject.toml [tool.mypy]"
	@echo "make format - ruff format + ruff check --fix"
	@echo "make bench  - tracking benchmark against MLflow (bench/tracking.py)"
	@echo "make clean  - remove build output and caches (never ./ardea-data)"

$(VPY):
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 \
	  || $(PYTHON) -m pip install -q uv \
	  || $(PYTHON) -m pip install -q --user --break-system-packages uv
	$(UV) venv --python $(PYTHON) $(VENV)

install: $(VPY)
	$(UV) pip install -q --compile-bytecode -p $(VPY) -e .

# The dev extras include torch (the PyTorch, Lightning, Keras and transformers autolog tests).
# Its CPU build goes in first: resolved from PyPI alone, torch pulls ~6 GB of CUDA. This
# machine image ships the CPU wheel in /opt/wheels; elsewhere PyTorch's CPU index serves it.
TORCH_CPU ?= torch==2.13.0+cpu
install-dev: $(VPY)
	@$(VPY) -c "import torch" 2>/dev/null \
	  || $(UV) pip install -q -p $(VPY) --find-links /opt/wheels '$(TORCH_CPU)' 2>/dev/null \
	  || $(UV) pip install -q -p $(VPY) --index-url https://download.pytorch.org/whl/cpu '$(TORCH_CPU)'
	$(UV) pip install -q --compile-bytecode -p $(VPY) -e '.[dev]'

ui:
	@bash scripts/build-ui.sh

run: install ui
	$(VENV)/bin/ardea server --host $(HOST) --port $(PORT) $(SERVER_ARGS)

test: install-dev ui
	@bash scripts/test.sh $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install-dev
	$(VENV)/bin/mypy

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install-dev
	$(VPY) bench/tracking.py $(BENCH_ARGS)

clean:
	rm -rf build dist .pytest_cache .ruff_cache .mypy_cache src/ardea/server/static/ui
	find . -name __pycache__ -type d -prune -not -path './.venv*' -not -path './ui/node_modules/*' \
	  -exec rm -rf {} +
