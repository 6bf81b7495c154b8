# The README's two set-up commands: `make run` starts the assistant, `make test` runs the checks.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install install-test bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"

run: install
	$(BIN)/python -m bot

test: install-test
	$(BIN)/python -m bot check
	$(BIN)/ruff check bot tests bench
	$(BIN)/python -m pytest -q

bench: install-test
	$(BIN)/python bench/faq.py
	$(BIN)/python bench/flows.py
