# Two commands a newcomer needs: `make run` and `make test`. Both create .venv/ on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
RUN_STAMP  := $(VENV)/.run-installed
TEST_STAMP := $(VENV)/.test-installed
PYTEST_ARGS ?=
EVAL_ARGS ?=

.PHONY: run test bench eval lint clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "copydesk needs Python 3.11; set PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,bench,dev]'
	touch $@ $(RUN_STAMP)

run: $(RUN_STAMP)
	$(BIN)/copydesk batch seeds/ --output out/

test: $(TEST_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(TEST_STAMP)
	$(BIN)/python -m bench.run

# EVAL_ARGS="--ftfy-cases DIR" adds ftfy's own test cases (a checkout's tests/test-cases).
eval: $(TEST_STAMP)
	$(BIN)/python -m bench.eval $(EVAL_ARGS)

lint: $(TEST_STAMP)
	$(BIN)/ruff check pipelines transforms schemas tests bench

clean:
	rm -rf out/ .pytest_cache .hypothesis
