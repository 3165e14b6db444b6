# Témoin — two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test check install lint typecheck migrations-check serve clean bench

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,spark]'
	touch $(STAMP)

install: $(STAMP)

## make demo — install, create a demo instance with SYNTHETIC Mali data, serve it on :8000
demo: $(STAMP)
	TEMOIN_HOME=$${TEMOIN_HOME:-var/demo} $(BIN)/temoin demo

## make test — the whole suite on SQLite, then the database tests on PostgreSQL
test: $(STAMP)
	scripts/test

## make check — lint, types, import rules, migrations, then the tests
check: lint typecheck migrations-check test

lint: $(STAMP)
	$(BIN)/ruff check temoin config tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy --strict temoin/core/dates temoin/core/auditchain.py temoin/core/sealing temoin/core/scenario temoin/core/vocabularies
	$(BIN)/lint-imports

migrations-check: $(STAMP)
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run

serve: $(STAMP)
	$(BIN)/temoin serve

bench: $(STAMP)
	$(BIN)/python benchmarks/case_database.py

clean:
	rm -rf var/demo .pytest_cache
