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

.PHONY: help venv book test lint format exercises bench publish clean clean-venv

help:
	@echo "make book       build the site into _build/html, executing every page (-W)"
	@echo "make test       run the whole test suite (builds the book first)"
	@echo "make exercises  regenerate the student versions in exercises/ from solutions/"
	@echo "make bench      run the benchmarks and write bench/RESULTS.md"
	@echo "make publish    write the student repository and its site into DIR (default _build/student)"
	@echo "make lint       ruff check and format check"
	@echo "make format     ruff format and autofix"
	@echo "make clean      remove build outputs (keeps .venv)"

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
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
book: $(STAMP)
	$(BIN)/python scripts/execute_parallel.py
	$(BIN)/jupyter-book build . --all --warningiserror --nitpick --keep-going --builder html

# scripts/system_deps.sh makes sure of the Debian packages the grading tests
# need (bubblewrap, postgresql); as root it installs them, otherwise it says how.
test: book $(DP_STAMP)
	bash scripts/system_deps.sh
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

exercises: $(STAMP)
	@for hw in $(HOMEWORK); do \
		$(BIN)/nbgrader generate_assignment "$$hw" --force --log-level=WARN || exit 1; \
	done

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
	rm -rf $(VENV) $(DP_VENV)
