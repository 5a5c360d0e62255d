# customer360 — every target creates its own virtualenv first.
#   make run    build the warehouse (demo data unless you have landed your own)
#   make test   lint + unit tests + dbt build and tests + integration tests
#   make docs   generate and serve the dbt docs
#   make lint   sqlfluff (dbt templater, duckdb dialect) + ruff
#   make bench  time ingest and dbt build at about 1M order lines

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DBT := $(BIN)/dbt
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_PROJECT_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
LANDING_DIR := $(or $(C360_LANDING_DIR),data/landing)
DOCS_PORT ?= 8080

.PHONY: install run build test unit integration dbt-test lint format docs bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

run: install
	@if [ -d "$(LANDING_DIR)/orders" ]; then \
	  echo "Using the data already landed in $(LANDING_DIR) (delete it to get demo data)."; \
	else \
	  $(BIN)/customer360 demo; \
	fi
	$(DBT) build
	$(BIN)/customer360 publish
	@echo "Build file (private, for dbt): $${C360_DB_PATH:-warehouse/customer360.duckdb}"

lint: install
	$(BIN)/ruff check src tests python_models
	$(BIN)/ruff format --check src tests python_models
	$(BIN)/sqlfluff lint models analyses tests/dbt

format: install
	$(BIN)/ruff format src tests python_models
	$(BIN)/ruff check --fix src tests python_models
	$(BIN)/sqlfluff fix models analyses tests/dbt

unit: install
	$(BIN)/pytest tests/unit

test: lint
	$(BIN)/pytest tests

docs: install
	$(DBT) docs generate
	$(DBT) docs serve --port $(DOCS_PORT) --no-browser

bench: install
	$(BIN)/python -m customer360.bench

clean:
	rm -rf target logs warehouse/*.duckdb warehouse/*.wal
