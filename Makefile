# The two commands the README opens with: `make run` and `make test`. Both use the one virtual environment
# .venv/ in the project root, so .venv/bin/guidebot exists after either.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test test-llamacpp test-deploy eval-gate install install-dev lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,st,llm]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## run: install, build the index if missing, serve the widget demo page and the API on http://127.0.0.1:8000
run: install
	$(BIN)/guidebot serve --host 127.0.0.1 --port 8000

## test: lint, type-check and run every test (the llama.cpp path has its own target: test-llamacpp)
test: install-dev lint
	$(BIN)/python -m pytest

## test-llamacpp: the offline generative path (compiles llama-cpp-python, about 5 minutes the first time)
test-llamacpp: install-dev
	$(BIN)/pip install --quiet -e '.[dev,st,llm,llamacpp]'
	$(BIN)/python -m pytest -m llamacpp

## test-deploy: deploy/ on loopback: nginx (TLS) in front of two workers, PostgreSQL and chroma run; the rate limit
## and the login lockout across workers, X-Forwarded-For, the load benchmark through nginx, a worker killed mid-load
test-deploy: install-dev
	$(BIN)/guidebot index
	$(BIN)/python -m pytest -m deploy -s tests/test_deploy.py

## eval-gate: build the index, answer the golden test split, fail below evals/thresholds.yaml
eval-gate: install-dev
	$(BIN)/guidebot index
	$(BIN)/guidebot eval --split test --gate

lint: install-dev
	$(BIN)/ruff check src tests
	$(BIN)/mypy

bench: install
	$(BIN)/guidebot bench

clean:
	rm -rf indexes/default indexes/.cache artifacts
