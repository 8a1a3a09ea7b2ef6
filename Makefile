# paper-kg: `make build` then `make test` on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
KG := $(VENV)/bin/kg
STAMP := $(VENV)/.installed
BENCH := ../shared/bench
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install build test test-fast browser-deps lint eval bench train clean

# torch first, from this machine's CPU build, so sentence-transformers does not pull a CUDA build.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[test,notebook]'
	touch $(STAMP)

install: $(STAMP)

build: install
	$(KG) build

# Debian's chromium and chromium-driver for the browser tests (no downloaded browsers).
browser-deps:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver >/dev/null; \
	fi

test: install browser-deps
	$(VENV)/bin/ruff check kg tests bench
	$(VENV)/bin/ruff format --check kg tests bench
	$(VENV)/bin/pytest

test-fast: install
	$(VENV)/bin/pytest -m "not browser and not slow"

lint: install
	$(VENV)/bin/ruff check kg tests bench
	$(VENV)/bin/ruff format --check kg tests bench

eval: install
	$(PY) bench/evaluate.py --bench-dir $(BENCH)

# The tagger and relation weights (kg/extract/weights/) from SciERC in ../shared/bench: CPU, fixed seeds.
train: install
	nice -n 10 $(PY) -m kg.extract.train --bench-dir $(BENCH)

# BIG=1 adds the 20,000-paper point to bench/scale.py (incremental and Dask builds)
bench: install
	$(PY) bench/run.py
	$(PY) bench/scale.py $(if $(BIG),--big)

clean:
	rm -rf exports/graph.* $(VENV)
