# customer360 — every target creates its own virtualenv first.
#   make run    build, publish, validate and render the dashboards (demo data unless
#               you have landed your own)
#   make test   lint + unit tests + dbt build and tests + integration tests
#   make docs   generate and serve the dbt docs
#   make lint   sqlfluff (dbt templater, duckdb dialect) + ruff
#   make readme regenerate the README's model map and var table (dbt parse + dbt_project.yml)
#   make bench  time ingest, a full and a one-day dbt build against a bare-DuckDB floor
#               (about 1M order lines; BENCH_ARGS="--order-lines 10000000" for more)

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DBT := $(BIN)/dbt
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_PROJECT_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
LANDING_DIR := $(or $(C360_LANDING_DIR),data/landing)
DOCS_PORT ?= 8080

.PHONY: install browser run build test unit integration dbt-test lint format docs bench readme clean

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
	@# the dashboards show the validation results, failed or not; a failed critical
	@# expectation still fails `make run`, after the dashboards are written. The
	@# validation summary (stdout) is kept for the end, below the locations.
	@summary=$$(mktemp); \
	  $(BIN)/customer360 validate > $$summary; validated=$$?; \
	  if ! { $(BIN)/customer360 dashboard --quiet > /dev/null && $(DBT) docs generate --quiet; }; \
	  then cat $$summary; rm -f $$summary; exit 1; fi; \
	  echo ""; \
	  echo "Dashboards:    $${C360_DASHBOARD_DIR:-warehouse/dashboards}/index.html (open in a browser)"; \
	  echo "dbt docs:      target/index.html (serve with: make docs, then http://localhost:$(DOCS_PORT))"; \
	  echo "Serving copy:  $${C360_SERVING_DIR:-warehouse/serving}/customer360.duckdb and parquet/ (BI reads these; see current/manifest.json)"; \
	  echo "Build file:    $${C360_DB_PATH:-warehouse/customer360.duckdb} (private to dbt)"; \
	  echo ""; echo "Validation ($${C360_QUALITY_DIR:-warehouse/quality}):"; cat $$summary; \
	  rm -f $$summary; exit $$validated

# The browser tests drive Debian's Chromium (Playwright never downloads a browser). Installed
# with apt-get when missing and this user can (root, or sudo without a password); otherwise
# one message with the command to run. C360_CHROMIUM points at another Chromium binary.
CHROMIUM := $(or $(C360_CHROMIUM),/usr/bin/chromium)
browser:
	@if [ -x "$(CHROMIUM)" ]; then exit 0; fi; \
	if [ "$$(id -u)" -eq 0 ]; then sudo_=""; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo_="sudo"; \
	else echo "make test: the browser tests need Chromium at $(CHROMIUM). Install it with:" >&2; \
	  echo "  sudo apt-get update && sudo apt-get install -y chromium" >&2; \
	  echo "or set C360_CHROMIUM to a Chromium binary." >&2; exit 1; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
	  echo "make test: no apt-get here; install Chromium and set C360_CHROMIUM to its binary." >&2; \
	  exit 1; fi; \
	echo "installing Debian's chromium for the browser tests (apt-get) ..." >&2; \
	$$sudo_ env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	$$sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null && \
	"$(CHROMIUM)" --version

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

test: lint browser
	$(BIN)/pytest tests

docs: install
	$(DBT) docs generate
	$(DBT) docs serve --port $(DOCS_PORT) --no-browser

bench: install
	$(BIN)/python -m customer360.bench $(BENCH_ARGS)

# The README's model map and var table, generated from `dbt parse` and dbt_project.yml
# (tests/integration/test_readme.py fails when they are out of date).
readme: install
	$(BIN)/python -m customer360.readme_tables

clean:
	rm -rf target logs test-artifacts warehouse/*.duckdb warehouse/*.wal warehouse/serving warehouse/private warehouse/quality warehouse/dashboards
