# The two commands of the README: `make run` and `make test`. Both set up .venv first.
PYTHON ?= python3
PORT ?= 8000
HOST ?= 127.0.0.1
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint docs bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the project's declared dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(BIN)/aikg serve --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/cog --check docs/cli.md docs/ontology.md
	$(BIN)/python -m pytest

docs: $(VENV)/.installed-test
	$(BIN)/cog -r docs/cli.md docs/ontology.md

bench: $(VENV)/.installed-test
	$(BIN)/python -m bench.load
	$(BIN)/python -m bench.import_bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
