# scopegate developer commands. `make test` is what CI runs (.ci/run); `make run` starts the local stack.
SHELL := /bin/bash
PYTHON := $(shell scripts/find-python)
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: help install test unit lint-template clean fuzz security-report

help:
	@echo "make test           install everything (first run) and run the whole test suite"
	@echo "make lint-template  validate template.yaml with cfn-lint (SAM translator included)"
	@echo "make fuzz           fuzz the whole handler with atheris (FUZZ_RUNS=1000000 inputs)"
	@echo "make security-report  thorough properties, long fuzz, attack and fault matrices -> docs/security.md"
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

FUZZ_RUNS ?= 1000000
fuzz: $(VENV)/.installed
	mkdir -p .fuzz
	$(PY) -m tests.fuzz.handler_target -runs=$(FUZZ_RUNS) -artifact_prefix=.fuzz/ -print_final_stats=1

security-report: $(VENV)/.installed
	$(PY) bench/security_report.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .aws-sam .fuzz

# --- sam build: the authorizer artifact holds exactly authorizer/, policies/rules.yaml and its dependencies
build-AuthorizerFunction:
	mkdir -p "$(ARTIFACTS_DIR)/policies"
	cp -R authorizer "$(ARTIFACTS_DIR)/"
	cp policies/rules.yaml "$(ARTIFACTS_DIR)/policies/rules.yaml"
	find "$(ARTIFACTS_DIR)/authorizer" -name __pycache__ -type d -prune -exec rm -rf {} +
	python3 -m pip install --quiet --disable-pip-version-check -r requirements.txt -t "$(ARTIFACTS_DIR)" \
	  --only-binary=:all: --implementation cp --python-version 3.13 --platform manylinux2014_x86_64 --platform manylinux_2_34_x86_64
