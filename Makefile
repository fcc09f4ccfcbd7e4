# The README's two commands: `make demo` and `make test`. Both start with `setup`.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: setup demo test clean

# Re-install only when the project's install files change.
$(STAMP): pyproject.toml constraints.txt Makefile
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; set PYTHON=/path/to/python3.11"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# torch first and pinned: this exact build comes from the local wheel cache (a looser spec pulls a CUDA build)
	$(PY) -m pip install -q torch==2.13.0
	# constraints.txt: the versions the suite last passed with (pip freeze); without it pip's resolver
	# backtracks through ray's extras for many minutes on a fresh venv
	$(PY) -m pip install -q -e '.[test]' -c constraints.txt
	@touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(PY) examples/demo/run_demo.py --workdir demo_out

test: setup
	$(PY) -m pytest -q -p no:cacheprovider tests

clean:
	rm -rf $(VENV) demo_out
