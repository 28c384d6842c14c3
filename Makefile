# Two commands on a fresh machine: `make demo` and `make test`. Each sets up .venv on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
RUNTIME_STAMP := $(VENV)/.runtime-stamp
NODE_STAMP := node_modules/.installed-stamp
PYTEST_ARGS ?=
# Parallel by default: every test has its own database, ports and folders. Many tests wait on
# servers and subprocesses, so more workers than cores pays off; `make test TEST_WORKERS=0` runs
# in one process.
TEST_WORKERS ?= 4
PARALLEL = $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS))

.PHONY: demo test test-fast lint typecheck bench soak setup clean browser pgbouncer docs express-support wrk

setup: $(STAMP) $(NODE_STAMP) browser pgbouncer

SA_ORACLES := tests/frontends/sqlalchemy/sqlalchemy-2.0.txt tests/frontends/sqlalchemy/model-libraries.txt

$(STAMP): pyproject.toml $(SA_ORACLES)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed")'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	# The SQLAlchemy front-end's differential oracles (see tests/frontends/sqlalchemy/differential.py)
	$(BIN)/python -m pip install --quiet --no-deps --upgrade --target $(VENV)/sqlalchemy-2.0 -r tests/frontends/sqlalchemy/sqlalchemy-2.0.txt
	$(BIN)/python -m pip install --quiet --no-deps --upgrade --target $(VENV)/model-libraries -r tests/frontends/sqlalchemy/model-libraries.txt
	touch $(STAMP)

# Prisma's own schema engine (a test oracle) and other node tooling, from package-lock.json.
# Without npm the node-based tests skip with a reason (and fail in CI).
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && touch $(NODE_STAMP); \
	else echo "npm not found: node-based tests will be skipped"; fi

# Debian's chromium for tests/clients' browser test (driven by playwright-core from npm). CI runs
# as root and installs it; elsewhere the test skips with this reason.
browser:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ -n "$$CI" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "chromium not found: the browser test will be skipped (apt-get install -y chromium)"; fi

# Debian's PgBouncer for tests/reliability/test_pgbouncer.py (the runtime behind a pooler in
# transaction mode). CI runs as root and installs it; elsewhere the test skips with this reason.
pgbouncer:
	@if command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ]; then :; \
	elif [ -n "$$CI" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer >/dev/null; \
	else echo "pgbouncer not found: the PgBouncer test will be skipped (apt-get install -y pgbouncer)"; fi

# The demo needs the runtime only: `pip install -e .`, no development extras.
$(RUNTIME_STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed")'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUNTIME_STAMP)

demo: $(RUNTIME_STAMP)
	$(BIN)/python examples/demo.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

typecheck: lint

# The docs' tables of the REST contract (operators, parameters, limits, problem types), generated
# from fastbackend_contract.tables; tests/contract/test_docs_tables.py fails when they are stale.
# The same tables as the Express support library's src/lib/contract.ts (test_library_files.py).
docs: $(STAMP)
	$(BIN)/python -m fastbackend_contract.markdown docs/*.md
	$(BIN)/python -c "from fastbackend_express.library import main; main()"

# The Express support library on its own (docs/express.md): Prisma Client for its fixture schema,
# a strict type-check that also compiles its unit tests, ESLint, then the tests on node:test.
EXPRESS_SUPPORT := adapters/fastbackend_express/support
PRISMA_OFFLINE := PRISMA_SCHEMA_ENGINE_BINARY=/bin/true PRISMA_ENGINES_CHECKSUM_IGNORE_MISSING=1 \
	PRISMA_HIDE_UPDATE_MESSAGE=1 CHECKPOINT_DISABLE=1
express-support: $(NODE_STAMP)
	cd $(EXPRESS_SUPPORT) && $(PRISMA_OFFLINE) $(CURDIR)/node_modules/.bin/prisma generate >/dev/null
	node_modules/.bin/tsc -p $(EXPRESS_SUPPORT)
	cd $(EXPRESS_SUPPORT) && $(CURDIR)/node_modules/.bin/eslint .
	node --test $(EXPRESS_SUPPORT)/build/test/*.test.js

test: setup lint
	$(BIN)/python -m pytest $(PARALLEL) --durations=15 $(PYTEST_ARGS)

# The inner loop: everything but the slow tests (servers in subprocesses, wheels, node builds,
# load), in process, on SQLite (the runtime tests' PostgreSQL and MariaDB runs are make test's),
# in parallel, without lint. `make test` before you push. FAST_MARKS="not slow and not soak and
# not mariadb" adds PostgreSQL.
FAST_MARKS ?= not slow and not soak and not mariadb and not postgres
test-fast: setup
	$(BIN)/python -m pytest $(PARALLEL) -m "$(FAST_MARKS)" -q $(PYTEST_ARGS)

bench: setup wrk
	$(BIN)/python -m benchmarks

# wrk for the load benchmarks (benchmarks/runtime_load.py): as root it is installed from Debian's
# package; elsewhere the benchmarks fall back to an httpx client and say that it understates.
wrk:
	@if command -v wrk >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	else echo "wrk not found: the load benchmarks use an httpx client (apt-get install -y wrk)"; fi

# The long versions: the reliability tests at full length, and every test marked `soak` (each
# has a short version in `make test`).
soak: setup
	FASTBACKEND_SOAK=1 $(BIN)/python -m pytest tests/reliability $(PYTEST_ARGS)
	FASTBACKEND_SOAK=1 $(BIN)/python -m pytest -m soak $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache dist
