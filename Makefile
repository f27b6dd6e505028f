# The two commands a new user needs: `make run` and `make test` (and `make demo`, the
# example bank on the mock). Each makes .venv when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8600
BANK_PORT ?= 8700

.PHONY: run demo test lint types unit bench soak clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[mock,test,dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/tfa-mock serve --host $(HOST) --port $(PORT)

# Example Bank (examples/bank) and the mock together; Ctrl-C stops both.
demo: $(STAMP)
	$(BIN)/python -m examples.bank.demo --host $(HOST) --mock-port $(PORT) --bank-port $(BANK_PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -n 2

test: lint types unit

bench: $(STAMP)
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

soak: $(STAMP)
	$(BIN)/python bench/soak.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
