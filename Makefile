# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Blender LTS releases the add-on is also tested on (compatibility subset), each in its own venv.
# The newest bpy wheels for Python 3.11 in each series; every one needs numpy<2.
BPY42 := 4.2.23
BPY45 := 4.5.15

.PHONY: demo test test-main test-fuzz test-team test-compat test-compat-42 test-compat-45 env system compat-envs extension schema bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing Beatboard and its dependencies into $(VENV) (a few minutes the first time)..."
	$(BIN)/python -m pip install --disable-pip-version-check -q -e ".[all]"
	@touch $(STAMP)

# The beat extractor's hot modules compiled with Cython (render_server/beats/compiled.py): the same
# Python, about a quarter faster. Rebuilt when a source changes; until then, and wherever they
# cannot be built, the package runs the .py files.
BEATS_BUILD := render_server/beats/_compiled/.source-digest
$(BEATS_BUILD): $(STAMP) $(wildcard render_server/beats/*.py) | system
	@$(BIN)/python -c "from render_server.beats.compiled import main; raise SystemExit(main(['build']))" || true

env: $(STAMP) system $(BEATS_BUILD)

# poppler-utils, ffmpeg and fonts-dejavu-core from Debian, when missing (apt-get only as root)
system:
	@bash .ci/system-packages.sh

.venv-bpy42/.installed: Makefile
	@test -x .venv-bpy42/bin/python || $(PYTHON) -m venv .venv-bpy42
	.venv-bpy42/bin/python -m pip install --disable-pip-version-check -q "bpy==$(BPY42)" "numpy<2" "pillow>=10.1"
	@touch $@

.venv-bpy45/.installed: Makefile
	@test -x .venv-bpy45/bin/python || $(PYTHON) -m venv .venv-bpy45
	.venv-bpy45/bin/python -m pip install --disable-pip-version-check -q "bpy==$(BPY45)" "numpy<2" "pillow>=10.1"
	@touch $@

compat-envs: .venv-bpy42/.installed .venv-bpy45/.installed

demo: $(STAMP) $(BEATS_BUILD)
	$(BIN)/beatboard demo

# The whole suite on bpy 5.0 (two test processes, a file each at a time: the machines have two cores), then the compatibility subset (install from the zip, end to end,
# feedback on a take, panel draw, Blender's extension validator) on each LTS release.
# BEATBOARD_EXPECT_COMPILED: tests/test_beats_compiled.py fails if the compiled beat modules
# did not build, rather than skipping.
test: $(STAMP) system compat-envs $(BEATS_BUILD)
	BEATBOARD_EXPECT_COMPILED=1 $(MAKE) --no-print-directory -j2 --output-sync=target test-main test-team
	$(MAKE) --no-print-directory -j3 --output-sync=target test-fuzz test-compat-42 test-compat-45

# The main suite on two xdist workers. The team-mode tests (real redis-server, API and worker
# processes) spend most of their time waiting on those processes, so they run beside it.
test-main: $(STAMP) $(BEATS_BUILD)
	$(BIN)/python -m pytest -n 2 --dist loadfile --durations=15 --ignore=tests/test_api_fuzz.py -m "not team"

test-fuzz: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_api_fuzz.py

# Team mode (real redis-server, API and worker processes): mostly waiting on processes and
# leases, little CPU, so it runs beside the main suite.
test-team: $(STAMP) system
	$(BIN)/python -m pytest -q -p no:cacheprovider -m team

test-compat: test-compat-42 test-compat-45

# The compatibility subset (pytest -m compat) on one Blender LTS release: 42 is 4.2, 45 is 4.5.
test-compat-42 test-compat-45: test-compat-%: $(STAMP) compat-envs
	@echo "== Blender compatibility subset on bpy $$(.venv-bpy$*/bin/python -m pip show bpy 2>/dev/null | sed -n 's/^Version: //p') (.venv-bpy$*)"
	BEATBOARD_BLENDER_PYTHON=.venv-bpy$*/bin/python $(BIN)/python -m pytest -m compat -q -p no:cacheprovider -n 2 --dist loadfile

extension: $(STAMP)
	$(BIN)/python -m beatboard.extension_build

schema: $(STAMP)
	$(BIN)/python -m beatboard.schema_export

bench: $(STAMP) $(BEATS_BUILD)
	$(BIN)/python bench/demo_bench.py

clean:
	rm -rf build out .pytest_cache render_server/beats/_compiled
