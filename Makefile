# scopegate developer commands. `make test` is what CI runs (.ci/run); `make run` starts the local stack.
SHELL := /bin/bash
PYTHON := $(shell scripts/find-python)
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: help install test unit lint-template bench bench-smoke clean

help:
	@echo "make test           install everything (first run) and run the whole test suite"
	@echo "make lint-template  validate template.yaml with cfn-lint (SAM translator included)"
	@echo "make bench          run every benchmark in one process; writes docs/benchmarks.md (a few minutes)"
	@echo "make bench-smoke    the same with tiny counts (checks the bench works; numbers mean nothing)"
	@echo "make clean          remove the virtual environments"

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -n "$(PYTHON)" || { echo "no Python 3.12+ found (need python3.13 or python3.12)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

test: install lint-template
	$(PY) -m pytest

unit: $(VENV)/.installed
	$(PY) -m pytest tests/unit

lint-template: $(VENV)/.installed
	$(VENV)/bin/cfn-lint --non-zero-exit-code error -t template.yaml

# bench-only dependencies (matplotlib) go into the dev venv, pinned in bench/requirements.txt
$(VENV)/.bench-installed: $(VENV)/.installed bench/requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	touch $@

bench: $(VENV)/.bench-installed
	$(PY) -m bench

bench-smoke: $(VENV)/.installed
	$(PY) -m bench --smoke --no-plots --out "$${TMPDIR:-/tmp}/scopegate-bench-smoke/benchmarks.md"

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .aws-sam

# --- sam build: the authorizer artifact holds exactly authorizer/, policies/rules.yaml and its dependencies
build-AuthorizerFunction:
	mkdir -p "$(ARTIFACTS_DIR)/policies"
	cp -R authorizer "$(ARTIFACTS_DIR)/"
	cp policies/rules.yaml "$(ARTIFACTS_DIR)/policies/rules.yaml"
	find "$(ARTIFACTS_DIR)/authorizer" -name __pycache__ -type d -prune -exec rm -rf {} +
	python3 -m pip install --quiet --disable-pip-version-check -r requirements.txt -t "$(ARTIFACTS_DIR)" \
	  --only-binary=:all: --implementation cp --python-version 3.13 --platform manylinux2014_x86_64 --platform manylinux_2_34_x86_64
