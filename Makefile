# Two entry points (see README): `make run` and `make test`. Each installs what it needs first.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test setup setup-test bench clean chromium redis postgresql

run: setup
	$(BIN)/nn-playground serve --host $(HOST) --port $(PORT)

test: setup-test
	node --test --test-reporter=spec tests/js/
	$(BIN)/python -m pytest -q

bench: setup
	for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

setup: $(VENV)/.installed node_modules/.installed

setup-test: setup $(VENV)/.installed-test chromium redis postgresql

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml constraints.txt
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# Debian's chromium for the Playwright tests (Playwright cannot download its own browser here).
chromium:
	@command -v chromium >/dev/null 2>&1 || test -x /usr/bin/chromium || { \
	  command -v apt-get >/dev/null 2>&1 && { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } \
	  || echo "no apt-get: the UI tests fall back to Playwright's own browser"; }

# Debian's redis-server for the cluster tests (tests/server/cluster start their own on a free port).
redis:
	@command -v redis-server >/dev/null 2>&1 || test -x /usr/bin/redis-server || { \
	  command -v apt-get >/dev/null 2>&1 && { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; } \
	  || echo "no apt-get: the cluster tests will be skipped"; }

# Debian's postgresql for the store tests on PostgreSQL (tests/server/pgkit.py runs initdb and
# postgres in a temporary folder on a free port, as the postgres user, never as root).
postgresql:
	@command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  command -v apt-get >/dev/null 2>&1 && { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; } \
	  || echo "no apt-get: the PostgreSQL store tests will fail (install PostgreSQL's server)"; }

clean:
	rm -rf $(VENV) node_modules
