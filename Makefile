# Two commands on a fresh machine: `make app` (set up and run the app) and
# `make test` (set up and run the tests). Both install what they need first.
VENV ?= .venv
PY := $(VENV)/bin/python
export HF_HUB_OFFLINE := 1

.PHONY: setup app test eval bench browser

$(VENV)/.installed: requirements.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

setup: $(VENV)/.installed
	$(PY) -m rag fetch-model

# Debian's Chromium for the browser test (never `playwright install`), CJK fonts for screenshots.
browser:
	@(command -v chromium && dpkg -s fonts-noto-cjk) >/dev/null 2>&1 || \
		(apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null)

app: setup
	$(PY) app.py

test: setup browser
	$(PY) -m pytest -q

eval: setup
	$(PY) -m rag eval

bench: setup
	$(PY) bench/latency.py
