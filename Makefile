# signup: `make run` serves the app with demo data; `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
SIGNUP := $(VENV)/bin/signup
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install install-test browser catalogs extract update-catalogs lint bench clean

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
	$(MAKE) --no-print-directory catalogs browser

# Debian's Chromium drives the browser tests; Playwright's own download does not work here.
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing chromium from apt"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing: install Debian's chromium package (sudo apt-get install chromium)"; exit 1; fi; }

test: install-test
	$(PY) -m pytest

catalogs: $(PY)
	$(VENV)/bin/pybabel compile --statistics -d translations

extract: $(PY)
	$(VENV)/bin/pybabel extract --ignore-dirs=".*" -F babel.cfg -k _l -o translations/messages.pot --no-location --sort-output --project signup .

update-catalogs: extract
	$(VENV)/bin/pybabel update -i translations/messages.pot -d translations --ignore-pot-creation-date --no-fuzzy-matching --ignore-obsolete

lint: $(PY)
	$(VENV)/bin/ruff check signup tests bench

bench: install-test
	$(PY) bench/run_all.py

clean:
	rm -rf build dist *.egg-info .pytest_cache
