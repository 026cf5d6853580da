# HEMIS — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
UV := $(shell command -v uv 2>/dev/null || echo "$(HOME)/.local/bin/uv")

.PHONY: run test setup lint typecheck check bench-synth docs clean

setup: ## install uv (if missing) and the locked dependencies into .venv, compiled to bytecode
	@command -v uv >/dev/null 2>&1 || [ -x "$(UV)" ] || python3 -m pip install --user --quiet uv
	@# Bytecode compiled once at install: every `hemis` process then starts in about half the
	@# time, also where PYTHONDONTWRITEBYTECODE keeps Python from caching it itself.
	@$(UV) sync --frozen --quiet --compile-bytecode
	@$(UV) run --frozen python -m compileall -q src

run: setup ## set up, load the demo nation (scale 0.01) into var/hemis.db and serve on 127.0.0.1:8000
	@$(UV) run --frozen hemis demo --scale 0.01 --host 127.0.0.1 --port 8000

test: setup ## set up and run the whole suite (SQLite, PostgreSQL, web, browser)
	@bash scripts/test-prereqs.sh
	@$(UV) run --frozen pytest -n 2 --dist loadfile

lint: setup
	@$(UV) run --frozen ruff check src tests bench
	@$(UV) run --frozen ruff format --check src tests bench

typecheck: setup
	@$(UV) run --frozen mypy

check: lint typecheck test

docs: setup ## regenerate the docs that are generated from code
	@$(UV) run --frozen python -m hemis.docs

clean:
	rm -rf var/ .pytest_cache .mypy_cache .ruff_cache
