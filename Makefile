# Two commands set everything up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
# Byte-compile on install: imports (and so start-up and subprocess tests) are much faster,
# and environments with PYTHONDONTWRITEBYTECODE=1 never cache bytecode themselves.
export UV_COMPILE_BYTECODE := 1
PYTHON ?= python3
UV := $(PYTHON) -m uv
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install web run test lint format typecheck pytest bench lambda clean

help:
	@echo "make run    install, build the web UI, start Stellarr on http://$(HOST):$(PORT)"
	@echo "make test   lint, type-check and run the whole test suite"
	@echo "make bench  run the benchmarks in bench/ (figures go in docs/benchmarks.md)"
	@echo "make lambda build dist/lambda.zip and dist/layer.zip (Python 3.12, arm64)"

install:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(UV) sync --frozen

# The packaged UI is plain HTML/JS/CSS: nothing to compile, only to check it is there.
web:
	@test -f packages/stellarr/src/stellarr/static/index.html || \
		{ echo "web UI missing: packages/stellarr/src/stellarr/static/index.html"; exit 1; }

run: install web
	$(UV) run stellarr serve --host $(HOST) --port $(PORT)

lint:
	$(UV) run ruff check .
	$(UV) run ruff format --check .

format:
	$(UV) run ruff format .
	$(UV) run ruff check --fix .

# Each workspace package carries its own mypy and pytest sections; run them from inside it.
PACKAGES := $(wildcard packages/*)

typecheck:
	@for pkg in $(PACKAGES); do (cd $$pkg && $(UV) run mypy) || exit 1; done

pytest:
	@for pkg in $(PACKAGES); do (cd $$pkg && $(UV) run pytest) || exit 1; done

test: install web lint typecheck pytest

bench: install
	$(UV) run python bench/feeds.py
	$(UV) run python bench/dynamodb_feeds.py
	$(UV) run python bench/cold_start.py

lambda: install
	$(UV) run stellarr lambda-package

clean:
	rm -rf .venv .cache dist .pytest_cache .mypy_cache .ruff_cache
