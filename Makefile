# Two commands set everything up on a fresh machine: `make run` and `make test`.
# Both start with scripts/bootstrap.sh, the one place that installs anything.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
# Byte-compile on install: imports (and so start-up and subprocess tests) are much faster,
# and environments with PYTHONDONTWRITEBYTECODE=1 never cache bytecode themselves.
export UV_COMPILE_BYTECODE := 1
PYTHON ?= python3
UV := $(PYTHON) -m uv
BOOTSTRAP := PYTHON=$(PYTHON) bash scripts/bootstrap.sh
# A Node.js the bootstrap fetched because the system's is too old for the web build.
export PATH := $(CURDIR)/.cache/node/bin:$(PATH)
HOST ?= 127.0.0.1
PORT ?= 8000
# Prerequisites run in the order written: set-up first.
.NOTPARALLEL:

.PHONY: help install install-test install-bench web api-types run test lint format typecheck webtest pytest \
	bench lambda clean run-stereospot convert

help:
	@echo "make run    install, build the web UI, start Stellarr on http://$(HOST):$(PORT)"
	@echo "make run-stereospot  start StereoSpot's web UI with local workers"
	@echo "make convert IN=a.mp4 OUT=b.mp4  convert a video to 3D locally (StereoSpot)"
	@echo "make test   install what the tests need, lint, type-check, run the whole test suite"
	@echo "make bench  run the benchmarks in bench/ (figures go in docs/benchmarks.md)"
	@echo "make web    build the web app (web/) into the Python package"
	@echo "make api-types  regenerate web/src/lib/api/schema.d.ts after an API change"
	@echo "make lambda build dist/lambda.zip (Python 3.12, arm64; a layer only if one is needed)"

# run: the Python dependencies only. test: the development tools too, and Java 17, npm and
# Chromium (installed with apt as root; otherwise it names the one command to run).
# bench: test's, plus nginx and wrk.
install:
	$(BOOTSTRAP) run

install-test:
	$(BOOTSTRAP) test

install-bench:
	$(BOOTSTRAP) bench

# The web app (web/, SvelteKit) built into the Python package, which serves it: npm ci from
# the lock when node_modules does not match it, then a build unless the last one is newer
# than every source file. install* already did this; here it is a quick check.
web:
	$(BOOTSTRAP) web

# The web app's API types from the app's own OpenAPI schema (commit the result; a test fails
# when it is stale).
api-types: web
	mkdir -p web/.svelte-kit
	$(UV) run --no-sync python tools/openapi_dump.py web/.svelte-kit/openapi.json
	cd web && npx --no-install openapi-typescript .svelte-kit/openapi.json -o src/lib/api/schema.d.ts

# --no-sync: a plain `uv run` would install the development tools too.
run: install web
	$(UV) run --no-sync stellarr serve --host $(HOST) --port $(PORT)

# StereoSpot: its web UI with local workers (SQLite + a folder under stereospot-data/).
run-stereospot: install
	$(UV) run --no-sync stereospot serve --host $(HOST) --port $(PORT)

# make convert IN=film.mp4 OUT=film_3d.mp4 [FORMAT=half-sbs]: the whole pipeline, locally.
FORMAT ?= half-sbs
convert: install
	$(UV) run --no-sync stereospot convert "$(IN)" -o "$(OUT)" --format $(FORMAT)

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
	cd web && npm run check

# The web app's own unit tests (vitest): the login hash vector, the API client, formats.
webtest:
	cd web && npm test

pytest:
	@for pkg in $(PACKAGES); do (cd $$pkg && $(UV) run pytest) || exit 1; done

test: install-test web lint typecheck webtest pytest

bench: install-bench
	$(UV) run python bench/feeds.py
	$(UV) run python bench/dynamodb_feeds.py
	$(UV) run python bench/cold_start.py
	$(UV) run python bench/webhooks.py
	$(UV) run python bench/web_budget.py

lambda: install
	$(UV) run python tools/lambda_package.py

clean:
	rm -rf .venv .cache dist .pytest_cache .mypy_cache .ruff_cache
