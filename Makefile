# Two commands on a fresh Debian machine: `make run` (set up, start the app) and `make test` (set up, run tests).
VENV ?= .venv
PY := $(VENV)/bin/python
OCR_PACKAGES := tesseract-ocr tesseract-ocr-eng tesseract-ocr-deu tesseract-ocr-jpn \
	tesseract-ocr-script-latn tesseract-ocr-script-jpan tesseract-ocr-fra tesseract-ocr-spa \
	tesseract-ocr-ita tesseract-ocr-nld tesseract-ocr-por tesseract-ocr-pol tesseract-ocr-ces \
	tesseract-ocr-slk tesseract-ocr-slv tesseract-ocr-hrv tesseract-ocr-fin tesseract-ocr-swe \
	tesseract-ocr-dan tesseract-ocr-nor
BROWSER_PACKAGES := chromium

.PHONY: setup system system-test run test bench lint

setup: system $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# apt-get install $(1) unless `$(2)` succeeds: as root, with passwordless sudo, or else print the command.
define apt_install_unless
	@if $(2); then true; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1) >/dev/null; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
		sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1) >/dev/null; \
	else \
		echo "Missing system packages. Run this once, then try again:"; \
		echo "  sudo apt-get install -y $(1)"; \
		exit 1; \
	fi
endef

# Tesseract with the Latin and Japanese script models and the German and Japanese packs.
system:
	$(call apt_install_unless,$(OCR_PACKAGES),tesseract --list-langs 2>/dev/null | grep -qx Latin \
		&& tesseract --list-langs 2>/dev/null | grep -qx deu && tesseract --list-langs 2>/dev/null | grep -qx jpn)

# Chromium, for the browser tests in tests/e2e.
system-test:
	$(call apt_install_unless,$(BROWSER_PACKAGES),command -v chromium >/dev/null 2>&1)

run: setup
	$(VENV)/bin/streamlit run app.py

test: setup system-test
	$(PY) -m pytest

bench: setup
	$(PY) bench/run_all.py

# The pages are checked as Python 3.11: Streamlit (>= 1.6x) requires it, and its annotations use typing.Never,
# which a 3.10 check reads as Any, so every selectbox and radio would seem to return None.
lint: setup
	$(VENV)/bin/ruff check core pages app.py tests bench sample_docs
	$(VENV)/bin/ruff format --check core pages app.py tests bench sample_docs
	$(VENV)/bin/mypy
	$(VENV)/bin/mypy --explicit-package-bases --python-version 3.11 pages app.py
