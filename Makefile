# scopegate developer commands. `make test` is what CI runs (.ci/run); `make run` starts the local stack.
SHELL := /bin/bash
PYTHON := $(shell scripts/find-python)
VENV := .venv
PY := $(VENV)/bin/python
SAM_VENV := .venv-sam
SAM := SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam

.PHONY: help install test unit lint lint-template check-rules sam-install sam-validate sam-build clean run fuzz \
	security-report bench bench-smoke dist dist-if-possible sam-example cdk-synth

help:
	@echo "make test           install everything (first run) and run the whole test suite"
	@echo "make run            install everything (first run) and start the local issuer and gateway;"
	@echo "                    ports 3000 (gateway) 3001 (issuer) 3002 (DynamoDB), to move them:"
	@echo "                    ARGS='--gateway-port 4000 --issuer-port 4001 --dynamodb-port 4002'"
	@echo "                    (python -m local --help lists every option and its default)"
	@echo "make lint           ruff on the whole tree, mypy --strict on the runtime package (authorizer/)"
	@echo "make lint-template  validate template.yaml with cfn-lint (SAM translator included)"
	@echo "make check-rules    check policies/rules.yaml against template.yaml and run its decision tables"
	@echo "make sam-build      sam validate --lint + sam build with the pinned SAM CLI (.venv-sam)"
	@echo "make cdk-synth      regenerate examples/cdk's synthesized template (npm ci + cdk synth)"
	@echo "make dist           dist/: the wheel, and the authorizer's Lambda zip for x86_64 and arm64"
	@echo "                    (RULES=path/to/rules.yaml packs your rules instead of policies/rules.yaml)"
	@echo "make fuzz           fuzz the whole handler with atheris (FUZZ_RUNS=1000000 inputs)"
	@echo "make security-report  thorough properties, long fuzz, attack and fault matrices -> docs/security.md"
	@echo "make bench          sam build, then every benchmark in one process; writes docs/benchmarks.md (a few minutes)"
	@echo "make bench-smoke    the same with tiny counts (checks the bench works; numbers mean nothing)"
	@echo "make clean          remove the virtual environments and build output"

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -n "$(PYTHON)" || { echo "no Python 3.12+ found (need python3.13 or python3.12)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# sam-build and dist come first: tests/packaging runs what they leave in .aws-sam/build and dist/
test: install lint lint-template check-rules sam-validate sam-build dist-if-possible sam-example
	$(PY) -m pytest

unit: $(VENV)/.installed
	$(PY) -m pytest tests/unit

run: $(VENV)/.installed
	$(PY) -m local $(ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

lint-template: $(VENV)/.installed
	$(VENV)/bin/cfn-lint --non-zero-exit-code error -t template.yaml

check-rules: $(VENV)/.installed
	$(PY) -m scopegate_tools check --strict
	$(PY) -m scopegate_tools check --strict --parameter-overrides AuthorizerMode=REQUEST
	$(PY) -m scopegate_tools test

# bench-only dependencies (matplotlib) go into the dev venv, pinned in bench/requirements.txt
$(VENV)/.bench-installed: $(VENV)/.installed bench/requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	touch $@

# the cold start, its breakdown and the memory figure are measured on the sam build artifact
bench: $(VENV)/.bench-installed sam-build
	$(PY) -m bench

bench-smoke: $(VENV)/.installed
	$(PY) -m bench --smoke --no-plots --out "$${TMPDIR:-/tmp}/scopegate-bench-smoke/benchmarks.md"

FUZZ_RUNS ?= 1000000
fuzz: $(VENV)/.installed
	mkdir -p .fuzz
	$(PY) -m tests.fuzz.handler_target -runs=$(FUZZ_RUNS) -artifact_prefix=.fuzz/ -print_final_stats=1

security-report: $(VENV)/.installed
	$(PY) bench/security_report.py

clean:
	rm -rf $(VENV) $(SAM_VENV) .pytest_cache .hypothesis .aws-sam .fuzz dist build/lambda-*

# --- make dist: what you add to an API you already have ---------------------------------------
# dist/scopegate-<version>-py3-none-any.whl    the runtime package and the tools (pip install "...whl[tools]")
# dist/scopegate-authorizer-python3.13-<arch>.zip  the Lambda function: authorizer/, the rules at
#     policies/rules.yaml and the pinned runtime dependencies for Lambda's python3.13 on <arch>,
#     from manylinux wheels (pip --platform; no Docker), built exactly as sam build builds it
#     (build-AuthorizerFunction below). Handler: authorizer.app.lambda_handler.
DIST := dist
DIST_ARCHITECTURES := x86_64 arm64
RULES ?= policies/rules.yaml
ISSUERS ?= policies/issuers.yaml
# as sam-build: without python$(LAMBDA_PYTHON_VERSION), reported as not run (tests/packaging says so too)
dist-if-possible:
	@if [ -z "$(LAMBDA_PYTHON)" ]; then \
	  echo "NOT RUN: make dist needs python$(LAMBDA_PYTHON_VERSION) (Lambda's runtime); none on PATH or in pyenv"; \
	  rm -rf $(DIST); else $(MAKE) --no-print-directory dist; fi
dist: $(VENV)/.installed
	$(require-lambda-python)
	rm -rf $(DIST) $(DIST_ARCHITECTURES:%=build/lambda-%)
	mkdir -p $(DIST)
	$(PY) -m pip wheel --quiet --disable-pip-version-check --no-deps --no-build-isolation --wheel-dir $(DIST) .
	rm -rf build/lib build/bdist.* scopegate.egg-info
	$(foreach arch,$(DIST_ARCHITECTURES),$(MAKE) --no-print-directory build-AuthorizerFunction \
	  LAMBDA_ARCHITECTURE=$(arch) ARTIFACTS_DIR="$(CURDIR)/build/lambda-$(arch)" RULES="$(RULES)" && \
	  "$(LAMBDA_PYTHON)" scripts/zip-lambda build/lambda-$(arch) \
	    $(DIST)/scopegate-authorizer-python$(LAMBDA_PYTHON_VERSION)-$(arch).zip &&) true
	@ls -l $(DIST)

# examples/sam-existing-api: a second SAM app that attaches the dist zip to its own API, validated
# and built like template.yaml (tests/examples checks the build and its routes)
SAM_EXAMPLE := examples/sam-existing-api
sam-example: $(SAM_VENV)/.installed
	cd $(SAM_EXAMPLE) && SAM_CLI_TELEMETRY=0 "$(abspath $(SAM_VENV))/bin/sam" validate --lint
	cd $(SAM_EXAMPLE) && SAM_CLI_TELEMETRY=0 "$(abspath $(SAM_VENV))/bin/sam" build \
	  --build-dir "$(CURDIR)/.aws-sam/examples/sam-existing-api"

# examples/cdk: install the pinned CDK toolchain (npm ci) and synthesize the app into
# examples/cdk/ScopegateExample.template.json, the fixture tests/examples checks (needs make dist)
CDK_EXAMPLE := examples/cdk
cdk-synth: dist
	cd $(CDK_EXAMPLE) && npm ci --no-audit --no-fund --silent
	cd $(CDK_EXAMPLE) && CDK_DISABLE_CLI_TELEMETRY=true npx cdk synth --quiet --no-notices
	cp $(CDK_EXAMPLE)/cdk.out/ScopegateExample.template.json $(CDK_EXAMPLE)/ScopegateExample.template.json

# --- AWS SAM CLI, pinned, in its own venv (SAM_VENV is set at the top) ----------------------------

$(SAM_VENV)/.installed: requirements-sam.txt
	@test -n "$(PYTHON)" || { echo "no Python 3.12+ found (need python3.13 or python3.12)"; exit 1; }
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-sam.txt
	touch $@

sam-install: $(SAM_VENV)/.installed

sam-validate: $(SAM_VENV)/.installed
	$(SAM) validate --lint

# ARCHITECTURE=arm64 builds for the template's Architecture parameter set to arm64: SAM passes no
# architecture to makefile builds, so LAMBDA_ARCHITECTURE tells build-* which wheels to install.
ARCHITECTURE ?= x86_64
# sam build needs a real python$(LAMBDA_PYTHON_VERSION) (the template's Runtime): without one it is
# reported as not run, and tests/packaging says so too instead of testing a stale artifact.
sam-build: $(SAM_VENV)/.installed
	@if ! lambda_python="$$(scripts/find-python $(LAMBDA_PYTHON_VERSION))"; then \
	  echo "NOT RUN: sam build needs python$(LAMBDA_PYTHON_VERSION) (the template's Runtime); none on PATH or in pyenv"; \
	  rm -rf .aws-sam/build; exit 0; fi; \
	echo "sam build with $$lambda_python for $(ARCHITECTURE)"; \
	PATH="$$(dirname "$$lambda_python"):$$PATH" LAMBDA_PYTHON="$$lambda_python" LAMBDA_ARCHITECTURE=$(ARCHITECTURE) \
	  $(SAM) build --parameter-overrides Architecture=$(ARCHITECTURE)

# --- sam build targets (BuildMethod: makefile): SAM runs `make build-<LogicalId>` with ARTIFACTS_DIR --
# The Python that matches the template's Runtime installs the wheels for Lambda's platform and
# compiles every module to bytecode. The pycs are hash-based and unchecked: `sam deploy` zips every
# file with the date 1980-01-01, so timestamp pycs would never match their source and Lambda, whose
# code folder is read-only, would compile those modules again on every cold start.
LAMBDA_PYTHON_VERSION := 3.13
# AL2023 (glibc 2.34) on the template's Architecture parameter (x86_64 or arm64, which Lambda calls
# aarch64 in wheel tags); pip does not infer older manylinux tags, so each is listed
LAMBDA_ARCHITECTURE ?= x86_64
LAMBDA_MACHINE := $(if $(filter arm64,$(LAMBDA_ARCHITECTURE)),aarch64,$(LAMBDA_ARCHITECTURE))
LAMBDA_PLATFORMS := $(foreach tag,manylinux_2_34 manylinux_2_28 manylinux2014,$(tag)_$(LAMBDA_MACHINE))
LAMBDA_PYTHON ?= $(shell scripts/find-python $(LAMBDA_PYTHON_VERSION))

define require-lambda-python
	@test -n "$(LAMBDA_PYTHON)" || { echo "python$(LAMBDA_PYTHON_VERSION) (the template's Runtime) not found on PATH or in pyenv; install it or set LAMBDA_PYTHON=/path/to/python$(LAMBDA_PYTHON_VERSION)"; exit 1; }
endef

# $(1): a requirements file, installed for Lambda's platform into the artifact
define install-lambda-requirements
	"$(LAMBDA_PYTHON)" -m pip install --quiet --disable-pip-version-check --no-compile --no-deps \
	  --only-binary=:all: --implementation cp --python-version $(LAMBDA_PYTHON_VERSION) \
	  $(LAMBDA_PLATFORMS:%=--platform %) --target "$(ARTIFACTS_DIR)" -r $(1)
endef

define compile-artifact
	find "$(ARTIFACTS_DIR)" -name __pycache__ -type d -prune -exec rm -rf {} +
	"$(LAMBDA_PYTHON)" -m compileall -q -j 0 --invalidation-mode unchecked-hash "$(ARTIFACTS_DIR)" >/dev/null
endef

# The authorizer: the `authorizer` package, the rules where config.PACKAGED_RULES_FILE looks
# (<package parent>/policies/rules.yaml), a shadow candidate if policies/rules.shadow.yaml exists,
# the issuers file as policies/issuers.yaml if $(ISSUERS) exists (deploy with IssuersFile=policies/issuers.yaml),
# and the runtime dependencies of requirements.txt (every one pinned, so --no-deps) less botocore
# and its dependencies, which the Lambda runtime provides (only the opt-in X-Ray SDK needs them).
# certifi's bundle is indexed as an OpenSSL hashed directory, ca-certificates/ (scripts/ca-directory:
# the same certificates, a TLS context in about 1 ms instead of 20). Each rules file (live, shadow) and
# the issuers file are then compiled, by the artifact's own code and PyYAML, into <name>.compiled.json
# beside each: the runtime loads that without PyYAML (authorizer/compiled_rules.py,
# authorizer/compiled_issuers.py), and Lambda's init reads every issuer's JWKS URL from
# issuers.compiled.json to fetch their keys from its first line; an invalid file fails the build,
# naming its line.
RUNTIME_PROVIDED := botocore python-dateutil six
build-AuthorizerFunction:
	$(require-lambda-python)
	mkdir -p "$(ARTIFACTS_DIR)/policies"
	cp -R authorizer "$(ARTIFACTS_DIR)/"
	cp "$(RULES)" "$(ARTIFACTS_DIR)/policies/rules.yaml"
	if [ -f policies/rules.shadow.yaml ]; then cp policies/rules.shadow.yaml "$(ARTIFACTS_DIR)/policies/"; fi
	if [ -f "$(ISSUERS)" ]; then cp "$(ISSUERS)" "$(ARTIFACTS_DIR)/policies/issuers.yaml"; fi
	grep -viE '^($(subst $(eval) ,|,$(RUNTIME_PROVIDED)))==' requirements.txt > "$(ARTIFACTS_DIR)/.requirements-lambda.txt"
	$(call install-lambda-requirements,"$(ARTIFACTS_DIR)/.requirements-lambda.txt")
	rm "$(ARTIFACTS_DIR)/.requirements-lambda.txt"
	"$(LAMBDA_PYTHON)" scripts/ca-directory "$(ARTIFACTS_DIR)/certifi/cacert.pem" "$(ARTIFACTS_DIR)/ca-certificates"
	cd "$(ARTIFACTS_DIR)" && for rules in policies/rules.yaml policies/rules.shadow.yaml; do \
	  [ -f "$$rules" ] || continue; \
	  PYTHONDONTWRITEBYTECODE=1 "$(LAMBDA_PYTHON)" -S -m authorizer.compiled_rules "$$rules" "$${rules%.yaml}.compiled.json" || exit 1; \
	done
	cd "$(ARTIFACTS_DIR)" && if [ -f policies/issuers.yaml ]; then \
	  PYTHONDONTWRITEBYTECODE=1 "$(LAMBDA_PYTHON)" -S -m authorizer.compiled_issuers policies/issuers.yaml policies/issuers.compiled.json; \
	fi
	$(compile-artifact)

# The services' shared helper, as a layer: Lambda unpacks it at /opt, /opt/python is on sys.path.
build-ServiceContextLayer:
	$(require-lambda-python)
	mkdir -p "$(ARTIFACTS_DIR)/python"
	cp -R services/shared/python/scopegate_context "$(ARTIFACTS_DIR)/python/"
	$(compile-artifact)

# Services: each artifact holds its folder's files (services/<name>/, handler at the top), every
# shared helper package in SERVICE_SHARED (none: scopegate_context comes as ServiceContextLayer),
# and services/<name>/requirements.txt if there is one.
# To add a service, README "Adding a service" lists everything it needs: here, its logical id in
# SERVICE_FUNCTIONS and a `build-<LogicalId>: SERVICE := <name>` line; in template.yaml, the function
# with `Metadata: {BuildMethod: makefile, ProjectRootDirectory: .}`, `Layers: [!Ref ServiceContextLayer]`,
# its own `Role`, `LoggingConfig` log group and `<LogicalId>Name` output; services/<name>/scopes.toml.
SERVICE_SHARED :=
SERVICE_FUNCTIONS := HelloFunction OrdersFunction
build-HelloFunction: SERVICE := hello
build-OrdersFunction: SERVICE := orders

$(SERVICE_FUNCTIONS:%=build-%):
	$(require-lambda-python)
	@test -n "$(SERVICE)" || { echo "$@: no SERVICE folder set in the Makefile"; exit 1; }
	mkdir -p "$(ARTIFACTS_DIR)"
	cp -R services/$(SERVICE)/. "$(ARTIFACTS_DIR)/"
	$(foreach shared,$(SERVICE_SHARED),cp -R $(shared) "$(ARTIFACTS_DIR)/";)
	if [ -f services/$(SERVICE)/requirements.txt ]; then $(call install-lambda-requirements,services/$(SERVICE)/requirements.txt); fi
	$(compile-artifact)
