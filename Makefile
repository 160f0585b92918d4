# Two commands do everything: `make demo` and `make test` (`make faults` for the fault tests).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Microsoft's adaptivecards library (npm), which checks every Teams card in the tests.
CARDCHECK := tests/cardcheck
CARDCHECK_STAMP := $(CARDCHECK)/node_modules/.installed

.PHONY: demo test faults bench install clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

$(CARDCHECK_STAMP): $(CARDCHECK)/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix $(CARDCHECK) --silent && touch $@; \
	else echo "npm not found: the Adaptive Card checks are skipped (and fail in CI)"; fi

install: $(STAMP) $(CARDCHECK_STAMP)

## The local demo: a console on a throwaway SQLite database with the demo organisation.
demo: $(STAMP)
	$(BIN)/pedir chat --demo

## The whole test suite, on SQLite and on PostgreSQL: on every core (at most 4; pytest-xdist,
## pyproject.toml's addopts) and in a random order (pytest-randomly; the seed is printed last).
## Then the fault tests, on their own (`make faults`): they start processes of their own.
test: $(STAMP) $(CARDCHECK_STAMP)
	$(BIN)/python -m pytest -q -m "not faults"
	$(MAKE) --no-print-directory faults

## The fault tests (tests/test_faults_*.py, marked `faults`): real processes killed, a private
## PostgreSQL stopped and started, Slack failing, several processes at once, 10,000 random texts.
## Two at a time (each starts processes of its own); their figures are printed at the end.
faults: $(STAMP)
	$(BIN)/python -m pytest -q -m faults -n 2

bench: $(STAMP)
	@for script in bench/[!_]*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis *.egg-info $(CARDCHECK)/node_modules
