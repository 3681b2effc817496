# Two commands set everything up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
PYTHON ?= python3
UV := $(PYTHON) -m uv
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install web run test lint format typecheck pytest bench clean

help:
	@echo "make run    install, build the web UI, start Stellarr on http://$(HOST):$(PORT)"
	@echo "make test   lint, type-check and run the whole test suite"
	@echo "make bench  run the benchmarks in bench/ (figures go in docs/benchmarks.md)"

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

typecheck:
	$(UV) run mypy

pytest:
	$(UV) run pytest

test: install web lint typecheck pytest

bench: install
	$(UV) run python bench/feeds.py

clean:
	rm -rf .venv .cache dist .pytest_cache .mypy_cache .ruff_cache
