# Two products, each with two commands that set everything up on a fresh machine:
#   Stellarr:   make run              make test
#   StereoSpot: make run-stereospot   make convert IN=film.mp4 OUT=film_3d.mp4
# Every target that needs something starts with scripts/bootstrap.sh, the one place that
# installs anything. `make help` lists the targets.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
# Byte-compile on install: imports (and so start-up and subprocess tests) are much faster,
# and environments with PYTHONDONTWRITEBYTECODE=1 never cache bytecode themselves.
export UV_COMPILE_BYTECODE := 1
PYTHON ?= python3
export PYTHON
BOOTSTRAP := bash scripts/bootstrap.sh
# uv lives in its own environment (scripts/bootstrap.sh); tools that call uv find it here.
export UV := $(CURDIR)/.cache/uv/bin/uv
# Node.js and npm fetched by the bootstrap when the system's are too old for the web build.
export PATH := $(CURDIR)/.cache/node/bin:$(PATH)
VENV := .venv/bin
STELLARR := packages/stellarr
STEREOSPOT := packages/stereospot
WEB := $(STELLARR)/web
HOST ?= 127.0.0.1
PORT ?= 8000
# Prerequisites run in the order written: set-up first.
.NOTPARALLEL:

.PHONY: help run test install install-stereospot install-test install-bench web api-types \
	run-stereospot convert check lint format bench bench-stellarr bench-stereospot lambda image \
	deploy clean

help:
	@echo "Stellarr"
	@echo "  make run             install, build the web app, start Stellarr on http://$(HOST):$(PORT)"
	@echo "  make web             build the web app ($(WEB)) into the Python package"
	@echo "  make api-types       regenerate the web app's API types after an API change"
	@echo "  make lambda          build dist/lambda.zip and its layers for AWS Lambda (Python 3.12, arm64)"
	@echo "  make deploy          deploy to AWS: terraform apply, Lambda, web app (ARGS='--skip-tf')"
	@echo "  make image           build the container image $(IMAGE) (docs/self-hosting.md)"
	@echo "  make bench-stellarr  Stellarr's benchmarks (BENCH=feeds runs one)"
	@echo "StereoSpot"
	@echo "  make run-stereospot  start StereoSpot's web UI with local workers on http://$(HOST):$(PORT)"
	@echo "  make convert IN=a.mp4 OUT=b.mp4 [FORMAT=half-sbs]  convert one video to 3D"
	@echo "  make bench-stereospot  StereoSpot's benchmarks (BENCH=pipeline runs one)"
	@echo "Both"
	@echo "  make test            install what the tests need, then every check of both products"
	@echo "  make check           the same checks, installing nothing (after one make test)"
	@echo "  make bench           both products' benchmarks"
	@echo "  make format          ruff format and ruff's fixes"

install:
	$(BOOTSTRAP) run

install-stereospot:
	$(BOOTSTRAP) stereospot

install-test:
	$(BOOTSTRAP) test

install-bench:
	$(BOOTSTRAP) bench

# The web app (SvelteKit) built into the Python package, which serves it: npm ci when
# node_modules does not match the lock, then a build unless the last one is newer than every
# source file.
web:
	$(BOOTSTRAP) web

run: install
	$(VENV)/stellarr serve --host $(HOST) --port $(PORT)

# The web app's API types from the app's own OpenAPI schema (commit the result; a test fails
# when it is stale).
api-types: install-test
	mkdir -p $(WEB)/.svelte-kit
	$(VENV)/python -m stellarr_tools.openapi_dump $(WEB)/.svelte-kit/openapi.json
	cd $(WEB) && npx --no-install openapi-typescript .svelte-kit/openapi.json -o src/lib/api/schema.d.ts

# StereoSpot: its web UI with local workers (SQLite + a folder under stereospot-data/).
run-stereospot: install-stereospot
	$(VENV)/stereospot serve --host $(HOST) --port $(PORT)

# make convert IN=film.mp4 OUT=film_3d.mp4 [FORMAT=half-sbs]: the whole pipeline, locally.
FORMAT ?= half-sbs
convert:
	@[[ -n "$(IN)" && -n "$(OUT)" ]] || { echo "stereospot: usage: make convert IN=film.mp4 OUT=film_3d.mp4 [FORMAT=half-sbs]" >&2; exit 2; }
	$(BOOTSTRAP) stereospot
	$(VENV)/stereospot convert "$(IN)" -o "$(OUT)" --format $(FORMAT)

# Every check of both products, each run even when an earlier one fails, then one summary
# line per check and a last line CI can read: "make test: N passed, N failed".
test: install-test
	@bash scripts/checks.sh

# The same checks without installing anything first (after one `make test`).
check:
	@bash scripts/checks.sh

lint:
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .

format:
	$(VENV)/ruff format .
	$(VENV)/ruff check --fix .

bench: bench-stellarr bench-stereospot

BENCH ?=
STELLARR_BENCHES := feeds dynamodb_feeds cold_start webhooks trending web_budget idle_connections image
STEREOSPOT_BENCHES := quality engine cli_speed passthrough pipeline hostile_bodies upload_bounds idle_connections

bench-stellarr: install-bench
	@for b in $(or $(BENCH),$(STELLARR_BENCHES)); do \
		echo "== $(STELLARR)/bench/$$b.py" && $(VENV)/python $(STELLARR)/bench/$$b.py || exit 1; done

bench-stereospot: install-bench
	@for b in $(or $(BENCH),$(STEREOSPOT_BENCHES)); do \
		echo "== $(STEREOSPOT)/bench/$$b.py" && $(VENV)/python $(STEREOSPOT)/bench/$$b.py || exit 1; done

lambda:
	$(BOOTSTRAP) lambda
	$(VENV)/python -m stellarr_tools.lambda_package

# Stellarr onto AWS ($(STELLARR)/docs/deploy-aws.md): terraform apply in $(STELLARR)/infra,
# then `make lambda`'s package and `make web`'s build, each step said as it is done.
# ARGS passes options on: make deploy ARGS="--skip-tf --backend" (or --dry-run).
ARGS ?=
deploy:
	$(BOOTSTRAP) lambda
	$(VENV)/stellarr deploy $(ARGS)

# Stellarr's container image ($(STELLARR)/deploy/Dockerfile): the wheels made here into
# dist/image (Stellarr's with the web app inside, and its dependencies from uv.lock), then
# installed in the image with no network. IMAGE_BASE and IMAGE_PYTHON pick another base
# (a Debian-like image with python3 -m venv); CONTAINER=podman or docker (default: docker
# when its daemon answers, else podman).
IMAGE ?= stellarr:latest
IMAGE_BASE ?= python:3.12-slim
IMAGE_PYTHON ?= 3.12
CONTAINER ?= $(shell if docker info >/dev/null 2>&1; then echo docker; \
	elif command -v podman >/dev/null; then echo podman; else echo docker; fi)

image:
	$(BOOTSTRAP) image
	$(VENV)/python -m stellarr_tools.image_context --out dist/image --python-version $(IMAGE_PYTHON)
	$(CONTAINER) build $(if $(findstring podman,$(CONTAINER)),--format docker) \
		--build-arg BASE=$(IMAGE_BASE) -f $(STELLARR)/deploy/Dockerfile -t $(IMAGE) dist/image

clean:
	rm -rf .venv .cache dist .pytest_cache .mypy_cache .ruff_cache
