# Gouvernance m2A — two commands: `make run` serves the dashboard, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DB ?= data/gouvernance.duckdb
PORT ?= 8501

.PHONY: install run demo test lint bench lock clean

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $(STAMP)

$(DB): | $(STAMP)
	$(BIN)/python -m analytics demo --db $(DB)

run: $(STAMP) $(DB)
	GOUVERNANCE_DB=$(DB) $(BIN)/python -m analytics.ui.serve --server.port $(PORT)

demo: $(STAMP)
	$(BIN)/python -m analytics demo --db $(DB)

test: lint
	$(BIN)/python -m pytest

# the linters: style and errors (ruff), the engine's layers (import-linter), static types (mypy)
lint: $(STAMP)
	$(BIN)/ruff check analytics pages tests app.py
	$(BIN)/lint-imports
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m analytics bench

# after adding a dependency to pyproject.toml and installing it in .venv: pin the whole environment again
lock: $(STAMP)
	{ echo "# Exact versions of every package, direct and transitive, for a reproducible install."; \
	  echo "# Regenerate: make lock (after changing pyproject.toml)."; \
	  $(BIN)/python -m pip freeze; } > requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
