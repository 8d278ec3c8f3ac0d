# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run build docs test lint format bench clean

# Install the project (editable) and its test tools into .venv; redone when pyproject.toml changes.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(STAMP)

# Build the graph into the embedded store (var/store) and its documentation (var/docs).
build: install
	$(BIN)/kg ingest
	$(BIN)/kg docs
	$(BIN)/kg stats

run: build

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
	$(BIN)/python bench/store.py
	$(BIN)/python bench/ingest.py

clean:
	rm -rf var .pytest_cache .ruff_cache
