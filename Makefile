# The README's two commands: `make run` (set up, pull models, index seeds/, chat UI)
# and `make test` (set up, pull test models, install Chromium, run every test).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DATA_DIR ?= data

.PHONY: setup models test-models browser run ask test test-fast bench lint clean

setup: $(VENV)/.installed

# torch first, pinned to the CPU build: a bare requirement would pull GBs of CUDA.
$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q pip==26.3 wheel==0.48.0
	$(BIN)/pip install -q torch==2.13.0
	@echo "Installing packages (llama-cpp-python compiles from source the first time: about 6 minutes)…"
	$(BIN)/pip install -q -c constraints.txt -e '.[ui,dev]'
	touch $@

models: setup
	$(BIN)/rag models pull

test-models: setup
	$(BIN)/rag models pull all-minilm-l6-v2 qwen2.5-1.5b smollm2-135m

# Debian's Chromium, driven by Playwright through executable_path (no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

run: models
	$(BIN)/rag --data-dir $(DATA_DIR) ingest seeds/
	$(BIN)/rag --data-dir $(DATA_DIR) serve

# HYPOTHESIS_PROFILE: property tests run their full example counts here, a tenth in test-fast (tests/conftest.py).
test: test-models browser
	HYPOTHESIS_PROFILE=full $(BIN)/pytest -q

# No model, no browser: fake backends (rag/testing.py) and loopback servers only.
test-fast: setup
	HYPOTHESIS_PROFILE=fast $(BIN)/pytest -q -n 2 -m "not slow and not browser"

# Speed benchmarks (bench/, not installed; run from here): make bench ARGS="--suite query --sizes 1000"
bench: models
	$(BIN)/python -m bench --data-dir $(DATA_DIR) $(ARGS)

# ruff on every Python folder; mypy --strict on the library (rag/, [tool.mypy] in pyproject.toml).
PY_DIRS := rag ui bench eval tests
lint: setup
	$(BIN)/ruff check $(PY_DIRS)
	$(BIN)/ruff format --check $(PY_DIRS)
	$(BIN)/mypy

clean:
	rm -rf $(DATA_DIR) .pytest_cache
