# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

ASSETS := service/static/vendor/yasqe/yasqe.min.js
YASQE  := service/static/node_modules/@zazuko/yasqe/build

.PHONY: install assets run build docs test lint format bench clean

# Install the project (editable) and its test tools into .venv; redone when pyproject.toml changes.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(STAMP) $(ASSETS)

# The query page's editor, from the npm registry (pinned by package-lock.json), served locally.
$(ASSETS): service/static/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix service/static --no-audit --no-fund --loglevel=error && \
		mkdir -p $(@D) && cp $(YASQE)/yasqe.min.js $(YASQE)/yasqe.min.css $(@D)/; \
	else \
		echo "npm not found: the query page will use a plain text area (install Node.js for the editor)"; \
	fi

assets: $(ASSETS)

# Build the graph into the embedded store (var/store) and its documentation (var/docs).
build: install
	$(BIN)/kg ingest
	$(BIN)/kg docs
	$(BIN)/kg stats

# Build, then serve the endpoint and query page on http://127.0.0.1:5000 until interrupted.
run: build
	$(BIN)/kg serve --host 127.0.0.1 --port 5000

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	# pytest exits 5 when it collects no test; that is not a failure of the code.
	$(BIN)/python -m pytest; status=$$?; [ $$status -eq 5 ] && echo "pytest: no tests collected" && exit 0; exit $$status

lint: install
	$(BIN)/ruff check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python bench/store.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/endpoint.py
	$(BIN)/python bench/endpoint.py --kg-option=--cache=0

clean:
	rm -rf var .pytest_cache .ruff_cache
