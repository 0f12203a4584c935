# Two commands on a fresh machine: `make run` (the pipeline end to end) and `make test`.
# Both create .venv and install the pinned dependencies first (constraints.txt pins every one).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt expectations/report/web_assets/package-lock.json | cksum | cut -d' ' -f1)
PORT ?= 3000
PYTEST_ARGS ?=

.PHONY: install browser postgres run simulate test lint ui lock clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt expectations/report/web_assets/package-lock.json
	@$(PYTHON) -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] < (3, 13) else "Python 3.11 or 3.12 is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	@# the Data Docs' scripts and styles, pinned by package-lock.json, shipped with the site (no CDN)
	npm ci --prefix expectations/report/web_assets --no-audit --no-fund --ignore-scripts --loglevel=error
	@rm -f $(VENV)/.installed-*
	@touch $@

## run: simulate the 2011 sources and run the whole pipeline once, headless
run: install
	$(BIN)/vhpipe simulate
	$(BIN)/vhpipe run

simulate: install
	$(BIN)/vhpipe simulate

## browser: Debian's chromium for the page tests (Playwright drives it; it never downloads a browser)
browser:
	@command -v chromium >/dev/null || { \
	  command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] || { echo "install chromium (Debian package 'chromium') for the page tests" >&2; exit 1; }; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

## postgres: Debian's PostgreSQL server for the tests on PostgreSQL (they initdb and start a throwaway
## server of their own on a free port, as user postgres, and stop it at the end)
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || { \
	  command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] || { echo "install PostgreSQL (Debian package 'postgresql') for the PostgreSQL tests" >&2; exit 1; }; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }

## test: lint (ruff, sqlfluff) and the test suite, on DuckDB and on PostgreSQL; pytest's "no tests
## collected" (exit 5) is a failure
test: install browser postgres lint
	@$(BIN)/pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: that is a failure, not a pass" >&2; exit 1; fi; \
	exit $$status

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint dbt_project

## bench: time the pipeline on simulated worlds (scales 1, 10, 100; BENCH_SCALES=1,10,100,1000 for the
## national decade) against a DuckDB floor and a pandas peer, and write docs/benchmark.md and its figures
## (docs/benchmark.json); bench-compare: the same, compared with those figures (after a change, same machine)
BENCH_SCALES ?= 1,10,100
.PHONY: bench bench-compare
bench: install
	$(BIN)/vhpipe bench --scales $(BENCH_SCALES) --write docs/benchmark.md --json docs/benchmark.json

bench-compare: install
	$(BIN)/vhpipe bench --scales $(BENCH_SCALES) --compare docs/benchmark.json

## ui: the Dagster UI on http://localhost:$(PORT)
ui: install
	$(BIN)/vhpipe ui --port $(PORT)

## lock: re-pin every transitive dependency after a change to pyproject.toml
lock:
	rm -rf /tmp/vhpipe-lock && $(PYTHON) -m venv /tmp/vhpipe-lock
	/tmp/vhpipe-lock/bin/pip install --quiet --disable-pip-version-check -e ".[dev]"
	( echo '# Every transitive dependency pinned; regenerate with `make lock`.'; \
	  /tmp/vhpipe-lock/bin/pip freeze --exclude-editable ) > constraints.txt

clean:
	rm -rf $(VENV) data
