# Two commands on a fresh Debian machine: `make run` (set up, start the app) and `make test` (set up, run tests).
VENV ?= .venv
PY := $(VENV)/bin/python
APT_PACKAGES := tesseract-ocr tesseract-ocr-eng tesseract-ocr-deu tesseract-ocr-jpn \
	tesseract-ocr-script-latn tesseract-ocr-script-jpan tesseract-ocr-fra tesseract-ocr-spa \
	tesseract-ocr-ita tesseract-ocr-nld tesseract-ocr-por tesseract-ocr-pol tesseract-ocr-ces \
	tesseract-ocr-slk tesseract-ocr-slv tesseract-ocr-hrv tesseract-ocr-fin tesseract-ocr-swe \
	tesseract-ocr-dan tesseract-ocr-nor

.PHONY: setup system run test bench lint

setup: system $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# Tesseract with the German and Japanese packs: installed when missing and we may (root or sudo).
system:
	@if command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx deu \
		&& tesseract --list-langs 2>/dev/null | grep -qx jpn && tesseract --list-langs 2>/dev/null | grep -qx Latin; then \
		true; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
		sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	else \
		echo "Tesseract (with German and Japanese) is missing. Run this once, then try again:"; \
		echo "  sudo apt-get install -y $(APT_PACKAGES)"; \
		exit 1; \
	fi

run: setup
	$(VENV)/bin/streamlit run app.py

test: setup
	$(PY) -m pytest

bench: setup
	$(PY) bench/run_all.py

lint: setup
	$(VENV)/bin/ruff check core pages app.py tests bench
	$(VENV)/bin/mypy
