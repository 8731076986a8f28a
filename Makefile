# The two commands of the README: `make run` and `make test`. Both set up .venv first.
PYTHON ?= python3
PORT ?= 8000
HOST ?= 127.0.0.1
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test test-fast lint docs data bench clean assets browser

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

# The pages' JavaScript libraries (YASGUI, cytoscape.js) from npm, copied into service/static/vendor/
# and served by aikg itself: browsers never fetch anything from the internet. Needs node and npm.
VENDOR := service/static/vendor
ASSETS := $(VENDOR)/.installed
$(ASSETS): assets/package.json assets/package-lock.json
	cd assets && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp assets/node_modules/@zazuko/yasgui/build/yasgui.min.js \
	   assets/node_modules/@zazuko/yasgui/build/yasgui.min.css \
	   assets/node_modules/cytoscape/dist/cytoscape.min.js $(VENDOR)/
	touch $@

assets: $(ASSETS)

# The browser tests drive Debian's chromium (Playwright's own browsers are never downloaded);
# a small CJK font makes the Chinese labels of their screenshots readable.
CHROMIUM ?= /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; elif command -v sudo >/dev/null; then SUDO="sudo -n"; \
	  else echo "no $(CHROMIUM) and no root: install chromium to run the browser tests"; exit 0; fi; \
	  $$SUDO apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null 2>&1 || \
	  { $$SUDO apt-get update -qq >/dev/null && \
	    $$SUDO apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; }; }

run: $(VENV)/.installed $(ASSETS)
	$(BIN)/aikg serve --host $(HOST) --port $(PORT)

# Every test, in two processes (pytest-xdist): most tests wait on a server, a browser or a forked
# query worker, so two keep both cores busy. A module's tests stay in one process, which starts
# its servers once.
PYTEST_PROCESSES ?= 2
test: $(VENV)/.installed-test $(ASSETS) browser
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/cog --check docs/cli.md docs/ontology.md
	$(BIN)/python -m pytest -n $(PYTEST_PROCESSES) --dist loadfile

# The edit loop: every test but the slow ones (a server, a browser, fuzzing; the markers are in
# pyproject.toml), in one process.
test-fast: $(VENV)/.installed-test $(ASSETS)
	$(BIN)/python -m pytest -m "not slow"

docs: $(VENV)/.installed-test
	$(BIN)/cog -r docs/cli.md docs/ontology.md

# The data files made from the bundled tables (ontology/tables/), imported over the curated graph
# and validated with the shapes here, so that a server loads them without validating at start.
data: $(VENV)/.installed
	$(BIN)/python -m graph.importing.bundled

bench: $(VENV)/.installed-test
	$(BIN)/python -m bench.load
	$(BIN)/python -m bench.import_bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts assets/node_modules $(VENDOR)
