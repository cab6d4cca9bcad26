# The single entry point. `make book` and `make test` are the README's two commands;
# both create .venv on first use and install the pinned dependencies into it.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
# The venv's bin/ goes first on PATH (nbgrader runs `alembic` from it), and its
# kernelspec wins over any user-level `python3` kernel.
export PATH := $(BIN):$(PATH)
export JUPYTER_PATH := $(CURDIR)/$(VENV)/share/jupyter
export PYDEVD_DISABLE_FILE_VALIDATION := 1
STAMP := $(VENV)/.installed
# diffprivlib 0.6.6 does not import with scikit-learn 1.9, so the privacy peer
# gets an environment of its own (bench/constraints-dp.txt): the benchmark and
# the agreement tests run diffprivlib there, in a subprocess.
DP_VENV := .venv-dp
DP_STAMP := $(DP_VENV)/.installed
HOMEWORK := $(notdir $(wildcard solutions/hw*))

# Tests run on every core (pytest-xdist; tests that share the graded term or the
# smoke course stay in one worker), each process with one BLAS thread: the
# sandboxes, checks and workers already share the cores.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
TEST_ENV := OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
PYTEST := $(TEST_ENV) $(BIN)/python -m pytest -n $(JOBS) --dist loadgroup
HW ?=

.PHONY: help venv book test check test-homework lint format exercises bench publish clean clean-venv

help:
	@echo "make book       build the site into _build/html, executing every page (-W)"
	@echo "make test       run the whole test suite (builds the book first)"
	@echo "make check      the inner loop: lint, unit tests, doctests, static homework"
	@echo "                checks and a smoke grading of every homework (no book build)"
	@echo "make test-homework HW=hw03   grade one homework's whole bank (both graders)"
	@echo "make exercises  regenerate the student versions in exercises/ from solutions/"
	@echo "make bench      run the benchmarks and write bench/RESULTS.md"
	@echo "make publish    write the student repository and its site into DIR (default _build/student)"
	@echo "make lint       ruff check and format check"
	@echo "make format     ruff format and autofix"
	@echo "make clean      remove build outputs (keeps .venv)"

venv: $(STAMP)

# Two products, one environment: the student library (pyproject.toml) and the
# instructor tools, the `course` command (tools/pyproject.toml).
$(STAMP): pyproject.toml tools/pyproject.toml constraints.txt
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]" -e ./tools
	@touch $@

# A student's fresh environment, offline: the packages the student library
# needs and Jupyter's kernel and runner (and what builds the library's wheel),
# at the pinned versions, downloaded once at set-up. tests/test_student_wheel.py
# installs from here with --no-index: nothing is downloaded while tests run.
WHEELHOUSE := .wheelhouse
$(WHEELHOUSE)/.complete: pyproject.toml constraints.txt | $(STAMP)
	$(BIN)/python -m pip download --quiet --disable-pip-version-check -c constraints.txt -d $(WHEELHOUSE) numpy pandas scipy scikit-learn matplotlib jinja2 ipykernel nbclient "setuptools>=68" wheel
	@touch $@

$(DP_STAMP): bench/constraints-dp.txt
	@test -x $(DP_VENV)/bin/python || $(PYTHON) -m venv $(DP_VENV)
	$(DP_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r bench/constraints-dp.txt
	@touch $@

# --all re-reads every page so that a warning is never hidden by Sphinx's
# incremental build; executed notebooks still come from the jupyter-cache.
# scripts/execute_parallel.py first executes, on every core, each page whose
# code changed since its cached run, into the jupyter-cache that Jupyter Book
# reads; Sphinx then finds every page executed and only renders.
# _build/html is written afresh each time (executed notebooks stay cached in
# _build/.jupyter_cache): Sphinx never deletes the page of a renamed or removed
# chapter, which would otherwise stay in the site, with its launch buttons.
book: $(STAMP)
	$(BIN)/python scripts/execute_parallel.py
	rm -rf _build/html
	$(BIN)/jupyter-book build . --all --warningiserror --nitpick --keep-going --builder html

# scripts/system_deps.sh makes sure of the Debian packages the grading tests
# need (bubblewrap, postgresql); as root it installs them, otherwise it says how.
test: book $(DP_STAMP) $(WHEELHOUSE)/.complete
	bash scripts/system_deps.sh
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(PYTEST) -m "not smoke"

# The inner loop: everything but the slow tier (the graded term, the sandbox's
# attack suites, the site and the browser), with a smoke grading instead.
check: $(STAMP)
	bash scripts/system_deps.sh
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(PYTEST) -m "not slow"

test-homework: $(STAMP)
	@test -n "$(HW)" || { echo "make test-homework needs HW=hwNN (e.g. HW=hw03)" >&2; exit 2; }
	HW="$(HW)" $(PYTEST) tests/homework -m "not smoke"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# `course release`: nbgrader's student versions, checked for leaks, each with
# the setup cell that installs the student library where it is missing.
exercises: $(STAMP)
	$(BIN)/course release

bench: $(STAMP) $(DP_STAMP)
	$(BIN)/python -m bench.run

# The students' repository: book sources, exercises/ and course_lib without the
# grader, with its site built; it refuses if any solution or hidden test got in.
DIR ?= _build/student
publish: $(STAMP)
	$(BIN)/course publish $(DIR)

clean:
	rm -rf _build .pytest_cache .ruff_cache

clean-venv:
	rm -rf $(VENV) $(DP_VENV) $(WHEELHOUSE)
