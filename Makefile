# Two commands a newcomer needs: `make run` (demo on SQLite) and `make test` (the whole suite).
# Each bootstraps its own virtualenv in .venv from the pinned requirements.lock.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: install run test test-fast lint format messages translations screenshots bench bench-hub bench-ballot-day clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c requirements.lock -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	COMMONGROUND_INSTANCE_PATH=$${COMMONGROUND_INSTANCE_PATH:-./var} \
	COMMONGROUND_MAIL_ENABLED=$${COMMONGROUND_MAIL_ENABLED:-false} \
	$(BIN)/commonground demo-federation

test: $(STAMP)
	$(BIN)/pytest -n auto --dist loadgroup $(PYTEST_ARGS)

# The inner loop: everything but the tests marked slow (end-to-end processes, the browser).
test-fast: $(STAMP)
	$(BIN)/pytest -n auto --dist loadgroup -m "not slow" $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Every marked sentence into node/translations/messages.pot, the template translators start
# from (node/i18n.py says how text is marked; babel.cfg where to look).
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -o node/translations/messages.pot --no-location \
	  --project Commonground --sort-output .

# Compile every node/translations/<locale>/LC_MESSAGES/messages.po into the .mo the app reads.
translations: $(STAMP)
	$(BIN)/pybabel compile -d node/translations --use-fuzzy

# The main pages of a fresh demo instance, desktop and phone, as PNGs in docs/screenshots/
# (needs /usr/bin/chromium); commit them after changing how a page looks.
screenshots: $(STAMP)
	$(BIN)/python docs/screenshots/take.py

# Benchmarks print their figures and ratios against baselines measured in the same run
# (docs/performance.md). bench-hub needs PostgreSQL; the full run is
# make bench-hub HUB_BENCH_ARGS="--groups 1000 --per-group 1000" (about half an hour here).
HUB_BENCH_ARGS ?= --groups 100 --per-group 1000

bench: $(STAMP)
	$(BIN)/python bench/tally.py
	$(BIN)/python bench/verify.py

bench-hub: $(STAMP)
	$(BIN)/python bench/hub.py $(HUB_BENCH_ARGS)

# 10,000 members voting at once through gunicorn (production config), on SQLite then on
# PostgreSQL at 127.0.0.1; BALLOT_DAY_ARGS="--members 1000" for a shorter run.
BALLOT_DAY_ARGS ?= --members 10000

bench-ballot-day: $(STAMP)
	$(BIN)/python bench/ballot_day.py $(BALLOT_DAY_ARGS)
	$(BIN)/python bench/ballot_day.py $(BALLOT_DAY_ARGS) --postgres

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache .import_linter_cache
