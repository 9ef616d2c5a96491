# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test env system extension schema bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing Beatboard and its dependencies into $(VENV) (a few minutes the first time)..."
	$(BIN)/python -m pip install --disable-pip-version-check -q -e ".[all]"
	@touch $(STAMP)

env: $(STAMP) system

# poppler-utils, ffmpeg and fonts-dejavu-core from Debian, when missing (apt-get only as root)
system:
	@bash .ci/system-packages.sh

demo: $(STAMP)
	$(BIN)/beatboard demo

test: $(STAMP) system
	$(BIN)/python -m pytest

extension: $(STAMP)
	$(BIN)/python -m beatboard.extension_build

schema: $(STAMP)
	$(BIN)/python -m beatboard.schema_export

bench: $(STAMP)
	$(BIN)/python bench/demo_bench.py

clean:
	rm -rf build out .pytest_cache
