# The README's two set-up commands: `make run` starts the assistant, `make test` runs the checks.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install install-test bench synapse

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"

run: install
	$(BIN)/python -m bot

# Synapse for the Matrix tests, in its own venv (never in the project's).
SYNAPSE_VENV := .venv-synapse

$(SYNAPSE_VENV)/bin/synapse_homeserver:
	$(PYTHON) -m venv $(SYNAPSE_VENV)
	$(SYNAPSE_VENV)/bin/python -m pip install --quiet "matrix-synapse>=1.163,<2"

synapse: $(SYNAPSE_VENV)/bin/synapse_homeserver

test: install-test synapse
	$(BIN)/python -m bot check
	$(BIN)/ruff check bot tests bench
	$(BIN)/python -m pytest -q

bench: install-test
	$(BIN)/python bench/faq.py
	$(BIN)/python bench/flows.py
