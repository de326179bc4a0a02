# Two commands a newcomer needs: `make run` (demo on SQLite) and `make test` (the whole suite).
# Each bootstraps its own virtualenv in .venv from the pinned requirements.lock.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: install run test lint format bench clean

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

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python bench/tally.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache
