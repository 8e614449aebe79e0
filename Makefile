# Narrative workbench. `make run` sets everything up and serves the demo; `make test` runs
# the whole suite (set DATABASE_URL to run it on PostgreSQL).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEV_ENV := DEBUG=true DEMO_MODE=true
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run install test lint format screenshots bench bench-anchoring clean

run: $(STAMP)
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py load_demo
	@echo ""
	@echo "  Narrative workbench: http://$(HOST):$(PORT)/"
	@echo "  Demo logins (password 'demo'): analyst, analyst2, owner, viewer (project members); admin (the site operator, Django admin)"
	@echo "  A background worker runs beside the server (imports); Ctrl-C stops both."
	@echo ""
	@trap 'trap - EXIT INT TERM; kill 0' EXIT INT TERM; \
	$(DEV_ENV) $(PY) manage.py db_worker --interval 0.2 & \
	$(DEV_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=...)")'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

test: $(STAMP)
	DEBUG=true $(PY) -m pytest $(ARGS)

# Screenshots of the demo's screens for the docs (needs Chromium).
screenshots: $(STAMP)
	mkdir -p docs/screenshots
	SCREENSHOTS_DIR=docs/screenshots DEBUG=true $(PY) -m pytest -q tests/browser -k "demo_pages or owner_pages or queue or adjudicates or blind_spots"

# Timings of the hot paths on a scratch SQLite database (see docs/benchmarks.md).
bench: $(STAMP)
	DEBUG=true DATABASE_URL=$${DATABASE_URL:-sqlite:///bench.sqlite3} $(PY) manage.py migrate --noinput -v0
	DEBUG=true DATABASE_URL=$${DATABASE_URL:-sqlite:///bench.sqlite3} $(PY) manage.py bench $(ARGS)

# Re-anchoring against the truth: realistic edits through the revision path, on the demo
# and on a generated corpus (rolled back; exits 1 if anything is silently wrong).
bench-anchoring: $(STAMP)
	DEBUG=true DATABASE_URL=$${DATABASE_URL:-sqlite:///bench.sqlite3} $(PY) manage.py migrate --noinput -v0
	DEBUG=true DATABASE_URL=$${DATABASE_URL:-sqlite:///bench.sqlite3} $(PY) manage.py bench_anchoring
	DEBUG=true DATABASE_URL=$${DATABASE_URL:-sqlite:///bench.sqlite3} $(PY) manage.py bench_anchoring --corpus generated --articles 200 --seed 2 --per-article 4

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=true $(VENV)/bin/mypy

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles .pytest_cache
