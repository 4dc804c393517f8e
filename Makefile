# The course in two commands: `make book` and `make test`.
# Both create .venv and install the pinned environment first, so a fresh
# machine needs nothing but Python 3.11 and the package registries.

PYTHON  ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
BOOK    := book
JOBS    ?= 2

export PYTHONHASHSEED := 0
export MPLBACKEND     := Agg
export OMP_NUM_THREADS ?= 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help setup book test test-lib test-notebooks lint format clean bench

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

setup: $(STAMP)  ## create .venv with the pinned dependencies and the repo's packages

book: setup  ## build the book, executing every notebook; fails on any error or warning
	$(BIN)/jupyter-book build $(BOOK) --warningiserror --keep-going
	@echo "Built: $(abspath $(BOOK))/_build/html/index.html"

test: setup lint  ## run every test: library, notebooks (nbval)
	$(BIN)/pytest -n $(JOBS) --dist loadfile tests $(BOOK) --nbval-lax --nbval-current-env \
	  --ignore=$(BOOK)/_build --timeout 900

test-lib: setup  ## library tests only (fast)
	$(BIN)/pytest -n $(JOBS) tests

test-notebooks: setup  ## execute the book notebooks with nbval
	$(BIN)/pytest -n $(JOBS) --dist loadfile $(BOOK) --nbval-lax --nbval-current-env --ignore=$(BOOK)/_build

lint: setup  ## ruff over the code and the notebooks
	$(BIN)/ruff check .

format: setup
	$(BIN)/ruff format normlib tests benchmarks

clean:  ## remove built and cached files (keeps .venv)
	rm -rf $(BOOK)/_build dist .pytest_cache .ruff_cache .hypothesis

distclean: clean  ## also remove .venv
	rm -rf $(VENV)
