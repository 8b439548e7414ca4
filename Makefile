# signup: `make run` serves the app with demo data; `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
SIGNUP := $(VENV)/bin/signup
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install install-test system-packages catalogs extract update-catalogs lint bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip setuptools wheel

install: $(PY)
	$(PIP) install -e .
	$(MAKE) --no-print-directory catalogs

run: install
	$(SIGNUP) db upgrade
	$(SIGNUP) demo
	@echo "signup runs on http://$(HOST):$(PORT)  (Ctrl+C stops it)"
	$(SIGNUP) run --host $(HOST) --port $(PORT)

install-test: $(PY)
	$(PIP) install -e '.[test]'
	$(MAKE) --no-print-directory catalogs system-packages

# Debian's Chromium drives the browser tests (Playwright's own download does not work here);
# zbarimg decodes the QR codes the tests render, pdftotext and pdftoppm read PDFs back.
SYSTEM_TOOLS := chromium:chromium zbarimg:zbar-tools pdftoppm:poppler-utils
system-packages:
	@missing=""; for pair in $(SYSTEM_TOOLS); do \
	  command -v $${pair%%:*} >/dev/null || missing="$$missing $${pair#*:}"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing from apt:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "missing Debian packages:$$missing (sudo apt-get install$$missing)"; exit 1; fi; fi

test: install-test
	$(PY) -m pytest

catalogs: $(PY)
	$(VENV)/bin/pybabel compile --statistics -d translations

extract: $(PY)
	$(VENV)/bin/pybabel extract --ignore-dirs=".*" -F babel.cfg -k _l -k _lp:1c,2 -o translations/messages.pot --no-location --sort-output --project signup .

update-catalogs: extract
	$(VENV)/bin/pybabel update -i translations/messages.pot -d translations --ignore-pot-creation-date --no-fuzzy-matching --ignore-obsolete

lint: $(PY)
	$(VENV)/bin/ruff check signup tests bench

bench: install-test
	$(PY) bench/run_all.py

clean:
	rm -rf build dist *.egg-info .pytest_cache
