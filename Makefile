# The two set-up commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint check messages browser clean constraints audit serve-prod

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -e . -c constraints.txt
	@touch $@

$(VENV)/.installed-test: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]" -c constraints.txt
	@touch $@ $(VENV)/.installed

## Serve the site with its seed content on the embedded SQLite database, with the
## background worker beside it (mail is printed to this terminal).
run: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py run_worker --no-reload & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/python manage.py runserver $(HOST):$(PORT)

## Run the whole test suite (SQLite unless DATABASE_URL says otherwise).
test: $(VENV)/.installed-test browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Headless Chromium for the end-to-end tests and flite for the audio captcha, from
## Debian's packages.
browser:
	@{ command -v chromium && command -v flite; } >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium flite >/dev/null); \
	  else echo "Install Debian's chromium and flite packages for the browser tests (sudo apt-get install chromium flite)."; fi; }

## Lint and format (ruff), and the import contracts between the apps (import-linter,
## contracts in pyproject.toml; see docs/architecture.md).
lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

## Django's checks, no model change without its migration, and the deployment checklist
## with production settings.
check: $(VENV)/.installed
	$(BIN)/python manage.py check --fail-level WARNING
	$(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_DEBUG=false DJANGO_SECRET_KEY="check-$$(head -c 48 /dev/urandom | base64 | tr -d '/+=')" \
	  DJANGO_ALLOWED_HOSTS=example.nl $(BIN)/python manage.py check --deploy --fail-level WARNING

## Extract and compile translations (needs GNU gettext); the .mo files are committed.
messages: $(VENV)/.installed
	$(BIN)/python manage.py makemessages --locale nl --locale en --ignore .venv --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore .venv

## Pin the versions again after changing dependencies in pyproject.toml.
constraints:
	rm -rf .venv-pin && $(PYTHON) -m venv .venv-pin
	.venv-pin/bin/pip install --quiet -e ".[test,sentry]"
	{ echo "# Pinned versions of every dependency (the test extras included), so that installs are"; \
	  echo "# reproducible. Regenerate after changing pyproject.toml: make constraints"; \
	  .venv-pin/bin/pip freeze --exclude-editable | grep -v '^-e'; } > constraints.txt
	rm -rf .venv-pin

## Known vulnerabilities in the pinned dependencies.
audit: $(VENV)/.installed-test
	$(BIN)/pip-audit --requirement constraints.txt --disable-pip --no-deps --progress-spinner off

## A consistent backup of the database and the uploaded media, safe while the site runs
## (into var/backups/, or DJANGO_BACKUP_DIR); restoring: see deploy/README.md.
.PHONY: backup
backup: $(VENV)/.installed
	$(BIN)/python manage.py backup_site

clean:
	rm -rf $(VENV) staticfiles

## The production profile on this machine: nginx (TLS, micro-cache) on https://127.0.0.1:8443
## (http on 8080 redirects) in front of two gunicorn app servers, PostgreSQL, Redis and the
## mail worker, each started again if it dies (see deploy/serve-prod).
serve-prod: $(VENV)/.installed
	deploy/serve-prod

## Lighthouse (mobile; performance, accessibility, best practices, SEO) on the article page
## through the production profile; fails below 95 (see bench/lighthouse.py, docs/quality.md).
## More pages: make quality QUALITY_ARGS="--page article --page /"
.PHONY: quality
quality: $(VENV)/.installed
	$(BIN)/python bench/lighthouse.py $(QUALITY_ARGS)
