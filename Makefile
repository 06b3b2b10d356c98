# Two commands a person needs (see README): `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo run test lint bench accuracy clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

## Opens the terminal UI on the bundled sample exports with a demo store.
demo: setup
	$(BIN)/medrecon demo

## The non-interactive main job on the sample exports (what CI and cron-like use see).
run: setup
	$(BIN)/medrecon reconcile sample_exports/cosmic.csv sample_exports/pascal.csv

lint: setup
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -n 2 --dist loadgroup -q

bench: setup
	$(BIN)/python benchmarks/bench.py

accuracy: setup
	$(BIN)/python benchmarks/accuracy.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
