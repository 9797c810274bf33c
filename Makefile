# Klassenraum – the two commands that matter: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium
# Tests run in two processes (pytest-xdist): each has its own test database, demo server and
# channel-layer prefix. WORKERS=0 runs them in one.
WORKERS ?= 2
# uvicorn believes X-Forwarded-For only from the app's TRUSTED_PROXIES (workspace/clients.py),
# and without any from nobody: its default (127.0.0.1) would let every local request choose
# the address the login lock counts.
UVICORN_PROXY = $(if $(strip $(TRUSTED_PROXIES)),--proxy-headers --forwarded-allow-ips '$(strip $(TRUSTED_PROXIES))',--no-proxy-headers)

.PHONY: run serve test test-unit test-e2e install lint format migrations-check messages makemessages check-deploy bench bench-scale soak clean

# --- installation -------------------------------------------------------------------------
$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 wird gebraucht ($(PYTHON) fehlt)."; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# The co-editor (CodeMirror 6 + Yjs) is one bundle, built from npm packages by esbuild.
EDITOR_BUNDLE := static/js/editor/coedit.min.js
$(EDITOR_BUNDLE): static/js/editor/src/coedit.js node_modules/.installed
	npm run --silent build:editor

install: $(VENV)/.installed node_modules/.installed $(EDITOR_BUNDLE) messages

# Compiled with Babel, so neither `make run` nor `make test` needs GNU gettext installed.
messages: $(VENV)/.installed
	$(VENV)/bin/pybabel compile -d locale -D django --statistics 2>&1 | grep -v '^$$' || true

# Extracting new strings needs GNU gettext (apt-get install gettext).
makemessages: $(VENV)/.installed
	DEBUG=1 $(PY) manage.py makemessages --locale en --ignore '.venv/*' --ignore 'node_modules/*' --ignore 'staticfiles/*' --no-obsolete
	DEBUG=1 $(PY) manage.py makemessages --locale en --domain djangojs --ignore 'static/js/editor/*' --ignore '.venv/*' --ignore 'node_modules/*' --ignore 'staticfiles/*' --no-obsolete

browser:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	  else echo "Chromium fehlt: sudo apt-get install chromium"; exit 1; fi; }

# --- the two commands ---------------------------------------------------------------------
run: export DEBUG = 1
run: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo
	$(PY) manage.py collectstatic --no-input --verbosity 0
	@echo "Klassenraum läuft auf http://$(HOST):$(PORT)/ – beenden mit Strg+C."
	@# One foreground process group: Ctrl-C stops the server and the background worker together.
	trap 'kill 0' EXIT; \
	  $(PY) manage.py db_worker --queue-name '*' --interval 2 & \
	  $(VENV)/bin/uvicorn workspace.asgi:application --host $(HOST) --port $(PORT) --lifespan on --ws-per-message-deflate false $(UVICORN_PROXY)

# The production topology on this machine: nginx (TLS) in front of gunicorn, two uvicorn
# processes for /ws/ and the worker, on PostgreSQL and Redis (DATABASE_URL, REDIS_URL).
# NODES=2 starts a second app node behind the same nginx. See deploy/serve.py.
serve: install
	$(PY) deploy/serve.py

# Checks that do not depend on the database (layout and reflow, the deploy files, the
# co-editing fuzz) run once: .ci/run leaves them out of its PostgreSQL run with ONCE_ONLY=skip.
ONCE_ONLY_PATHS := tests/e2e/test_reflow.py tests/deploy tests/projects/test_coedit_fuzz.py
ONCE_ONLY_ARGS := $(if $(filter skip,$(ONCE_ONLY)),$(addprefix --ignore=,$(ONCE_ONLY_PATHS)))

test: install browser
	$(PY) -m pytest tests --ignore=tests/e2e -p no:playwright -n $(WORKERS) $(ONCE_ONLY_ARGS)
	$(PY) -m pytest tests/e2e -p no:asyncio -n $(WORKERS) --dist loadgroup $(ONCE_ONLY_ARGS)

test-unit: install
	$(PY) -m pytest tests --ignore=tests/e2e -p no:playwright -n $(WORKERS)

test-e2e: install browser
	$(PY) -m pytest tests/e2e -p no:asyncio -n $(WORKERS)

# --- quality ------------------------------------------------------------------------------
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

migrations-check: $(VENV)/.installed
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

check-deploy: $(VENV)/.installed node_modules/.installed
	DEBUG=0 SECRET_KEY="$$(head -c 48 /dev/urandom | base64)" ALLOWED_HOSTS=klassenraum.example.org \
	  SITE_URL=https://klassenraum.example.org $(PY) manage.py check --deploy --fail-level WARNING

bench: install
	$(PY) bench/pages.py
	$(PY) bench/results.py
	$(PY) bench/live.py
	$(PY) bench/coediting.py
	@# Throughput as served in production: gunicorn, DEBUG off, PostgreSQL, wrk on this machine.
	@command -v wrk >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y -q wrk >/dev/null; \
	  else echo "wrk fehlt: sudo apt-get install wrk"; exit 1; fi; }
	@if [ -n "$$DATABASE_URL" ]; then $(PY) bench/throughput.py; \
	  else echo "bench/throughput.py übersprungen: es misst auf PostgreSQL (DATABASE_URL setzen)."; fi

# National scale (issue 27): every page at demo size and on a world made by `manage.py seed_scale`
# (SCALE_DATABASE_URL; its docstring says how), in one run. Never part of CI.
bench-scale: install
	@command -v wrk >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y -q wrk >/dev/null; \
	  else echo "wrk fehlt: sudo apt-get install wrk"; exit 1; fi; }
	$(PY) bench/scale.py

# Load and faults for SOAK_MINUTES (10) on a PostgreSQL and a Redis of its own: a benchmark,
# never part of CI. Its load generator (locust) is installed here only, not by `make install`.
soak: install
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) bench/soak.py

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3 db.sqlite3-*
