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
# Launch buttons (Binder, Colab) appear only when this is set, e.g.
# `make book BOOK_REPO_URL=https://github.com/<org>/<repo>`.
BOOK_REPO_URL ?=
export BOOK_REPO_URL

.PHONY: help setup sysdeps book book-labs release publish test test-lib test-notebooks test-site lint format clean distclean bench bench-peers

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

setup: $(STAMP)  ## create .venv with the pinned dependencies and the repo's packages

# System packages the tests need: Chromium for the browser tests of the built
# site, bubblewrap for the grader's sandbox. Installed with apt when missing and
# we are root (as CI is); otherwise a loud warning, and those tests skip.
SYSDEPS := chromium:chromium bwrap:bubblewrap
sysdeps:  ## install Chromium and bubblewrap with apt if missing (root only)
	@missing=""; for pair in $(SYSDEPS); do \
	  command -v $${pair%%:*} >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing system packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else \
	  echo "WARNING: missing system packages:$$missing (not root or no apt-get)."; \
	  echo "WARNING: the browser and sandbox tests will be SKIPPED, not passed."; \
	fi

LABS := $(sort $(dir $(wildcard labs/*/lab.toml)))

book-labs: setup  ## release the student labs into the book's Part 3 (with zip downloads)
	rm -rf $(BOOK)/hands-on/labs
	$(BIN)/labgrader release $(LABS) --out $(BOOK)/hands-on/labs
	$(BIN)/python $(BOOK)/hands-on/package_labs.py

book: setup book-labs  ## build the book, executing every notebook; fails on any error or warning
	$(BIN)/jupyter-book build $(BOOK) --warningiserror --keep-going
	$(BIN)/labgrader scan $(LABS) --dir $(BOOK)/_build/html --public $(BOOK)/principles --public $(BOOK)/applications --public normlib
	@echo "Built: $(abspath $(BOOK))/_build/html/index.html"

release: setup  ## write every lab's student version to dist/student/
	rm -rf dist/student
	$(BIN)/labgrader release $(LABS) --out dist/student

publish: book  ## push the built site to the gh-pages branch of origin (ghp-import)
	$(BIN)/ghp-import --no-jekyll --push --force --message "Publish the book" $(BOOK)/_build/html

# `make test` builds the book too: the build executes every notebook (a failing
# claim fails it) and the browser tests need the built site.
test: setup sysdeps lint book  ## run every test: library, notebooks (nbval), labs, grader, built site
	NORMLIB_REQUIRE_SITE=$$(command -v chromium >/dev/null && echo 1 || echo 0) \
	$(BIN)/pytest -n $(JOBS) --dist loadfile tests $(BOOK) --nbval-lax --nbval-current-env \
	  --ignore=$(BOOK)/_build --ignore=$(BOOK)/hands-on/labs --timeout 900

test-lib: setup  ## library tests only (fast)
	$(BIN)/pytest -n $(JOBS) tests

test-notebooks: setup  ## execute the book notebooks with nbval
	$(BIN)/pytest -n $(JOBS) --dist loadfile $(BOOK) --nbval-lax --nbval-current-env --ignore=$(BOOK)/_build --ignore=$(BOOK)/hands-on/labs

test-site: setup  ## browser tests of the already built site
	NORMLIB_REQUIRE_SITE=1 $(BIN)/pytest tests/test_book_site.py

# nbgrader, the peer of the grading benchmark, lives in its own venv (it pulls in JupyterLab).
NBG_VENV  := .venv-nbgrader
NBG_STAMP := $(NBG_VENV)/.installed

$(NBG_STAMP): benchmarks/requirements-nbgrader.txt
	test -x $(NBG_VENV)/bin/python || $(PYTHON) -m venv $(NBG_VENV)
	$(NBG_VENV)/bin/pip install --quiet -r benchmarks/requirements-nbgrader.txt
	touch $@

bench-peers: $(NBG_STAMP)  ## install nbgrader into .venv-nbgrader (the grading benchmark's peer)

bench: setup sysdeps $(NBG_STAMP)  ## benchmarks vs sklearn, skglm, torch and nbgrader (~15 min); writes benchmarks/results/
	$(BIN)/python benchmarks/run_all.py

lint: setup  ## ruff over the code and the notebooks
	$(BIN)/ruff check .

format: setup
	$(BIN)/ruff format normlib tests benchmarks

clean:  ## remove built and cached files (keeps .venv)
	rm -rf $(BOOK)/_build dist .pytest_cache .ruff_cache .hypothesis

distclean: clean  ## also remove .venv
	rm -rf $(VENV) $(NBG_VENV)
