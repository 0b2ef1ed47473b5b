# The two commands a newcomer needs: `make run` and `make test`. Everything else is set up by them.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy
PYTHON ?= python3
UV := $(PYTHON) -m uv
PORT ?= 8000

.PHONY: run test setup setup-dev chromium lint typecheck pytest permissions-doc bench clean

setup:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check uv
	@$(UV) sync --frozen --no-dev --quiet
	@mkdir -p var

setup-dev:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check uv
	@$(UV) sync --frozen --quiet
	@mkdir -p var

chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "Installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || { echo "could not install chromium (run as root?)"; exit 1; }; \
	fi

run: setup
	@PORT=$(PORT) $(UV) run --no-dev polity run

lint: setup-dev
	@$(UV) run ruff check polity config bench tests conftest.py
	@$(UV) run ruff format --check polity config bench tests conftest.py

typecheck: setup-dev
	@$(UV) run mypy polity config

permissions-doc: setup-dev
	@$(UV) run polity permissions_doc --check

pytest: setup-dev chromium
	@$(UV) run pytest

test: setup-dev chromium
	@$(UV) run python manage.py makemigrations --check --dry-run >/dev/null || { echo "migrations are missing: run makemigrations"; exit 1; }
	@$(MAKE) --no-print-directory lint typecheck permissions-doc
	@$(UV) run pytest

bench: setup-dev
	@$(UV) run python bench/run_all.py

clean:
	rm -rf var .venv .mypy_cache .ruff_cache
