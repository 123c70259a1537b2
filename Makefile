# CivicLab: `make run` serves the demo; `make test` sets up and runs every check.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
export PLAYWRIGHT_BROWSERS_PATH := 0
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: setup run test test-fast test-e2e test-slow lint bench messages clean browser

NODE_STAMP := node_modules/.installed

$(STAMP): pyproject.toml $(NODE_STAMP)
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

# Browser libraries (Leaflet) from npm, served as static files; exact versions from package-lock.json.
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $(NODE_STAMP)

setup: $(STAMP)

run: $(STAMP)
	PORT=$(PORT) $(BIN)/civiclab run

# Debian's chromium for the browser tests; never a downloaded browser build.
browser:
	@scripts/ensure-chromium

lint: $(STAMP)
	$(BIN)/ruff check civiclab tests bench scripts
	$(BIN)/ruff format --check civiclab tests bench scripts
	$(BIN)/mypy
	DATABASE_URL=sqlite://:memory: $(BIN)/civiclab manage makemigrations --check --dry-run
	$(BIN)/python scripts/check_translations.py

test-fast: $(STAMP)
	$(BIN)/pytest -m "not e2e" -n 2

test-e2e: $(STAMP) browser
	$(BIN)/pytest -m e2e

test: lint test-fast test-e2e

# Sweeps over every real election and conversation in ../shared/data, against the expected-outcome files.
test-slow: $(STAMP)
	$(BIN)/pytest -m slow

bench: $(STAMP)
	@scripts/ensure-wrk
	$(BIN)/pip install --quiet -e ".[dev,reference]"
	$(BIN)/python bench/run.py
	$(BIN)/python bench/opinion_map.py
	$(BIN)/python bench/vote_intake.py
	$(BIN)/python bench/pb_tally.py
	$(BIN)/python bench/pb_voting.py
	$(BIN)/python bench/proposals_pages.py
	$(BIN)/python bench/dashboards.py  # accountability (issue 6)

messages: $(STAMP)
	cd civiclab && ../$(BIN)/django-admin makemessages --all --ignore=migrations --no-obsolete
	cd civiclab && ../$(BIN)/django-admin compilemessages

clean:
	rm -rf $(VENV) var
