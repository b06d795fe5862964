# imr-etl: two commands on a fresh machine (Python 3.11 and the package registries only).
#   make demo   set up, then ingest the bundled sample inbox into the embedded SQLite warehouse
#   make test   set up, then run the whole test suite (what .ci/run runs)
#   make test-fast  the quick loop (no Prefect server, PostgreSQL, OCR or slow runs)
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
DEMO_DIR ?= build/demo

.PHONY: setup setup-browser demo test test-fast lint typecheck bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"

$(VENV)/.installed: $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

setup: $(VENV)/.installed
	@command -v tesseract >/dev/null || (apt-get update && apt-get install -y tesseract-ocr tesseract-ocr-eng)

demo: setup
	rm -rf $(DEMO_DIR) && mkdir -p $(DEMO_DIR)/inbox
	cp -R samples/inbox/. $(DEMO_DIR)/inbox/
	IMR_DATA_DIR=$(DEMO_DIR) IMR_STABLE_SECONDS=0 $(BIN)/imr ingest --inbox $(DEMO_DIR)/inbox
	IMR_DATA_DIR=$(DEMO_DIR) $(BIN)/imr batches

# the browser test of the review form drives Debian's chromium (Playwright downloads no browser)
setup-browser: setup
	@command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

# the tests run on every logical CPU, up to 4 (pytest-xdist; 2 on the 2-core VM): first those that
# use PostgreSQL, then the others beside the soak of the nightly path (marked alone: it stops
# PostgreSQL for a few seconds)
test: setup-browser
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest -n logical --maxprocesses 4 --durations=20 -m "postgres and not alone"
	$(BIN)/pytest -n logical --maxprocesses 4 --durations=20 -m "not postgres or alone"

# the quick loop: no Prefect server, no PostgreSQL, no OCR engine, no slow end-to-end runs
test-fast: setup
	$(BIN)/ruff check .
	IMR_TEST_NO_OCR=1 $(BIN)/pytest -n logical --maxprocesses 4 -q -m "not prefect and not postgres and not slow"

bench: setup
	$(BIN)/python -m bench.extraction

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache .hypothesis
