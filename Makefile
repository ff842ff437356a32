# Every target creates .venv from the pinned lock file on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-quick bench dev lint lock clean

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/recon demo

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest -n 2

# Development loop: everything but the tests marked slow, stopping at the first failure.
test-quick: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest -n 2 -m "not slow" -x

# Scale runs, not tests: CLI start-up, 1M and 10M rows per side, then 30 days at 1M rows a day.
bench: $(STAMP)
	$(BIN)/python -m benchmarks.cli_startup
	$(BIN)/python -m benchmarks.match_bench
	$(BIN)/python -m benchmarks.days_bench

# Dagster UI on the bundled fixtures; Dagster's own state stays in .dagster_home (git-ignored).
dev: $(STAMP)
	mkdir -p .dagster_home
	cp dagster_project/dagster.yaml .dagster_home/dagster.yaml
	DAGSTER_HOME=$(CURDIR)/.dagster_home $(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Re-pin every transitive dependency after changing pyproject.toml.
lock:
	rm -rf /tmp/recon-lock && $(PYTHON) -m venv /tmp/recon-lock
	/tmp/recon-lock/bin/pip install --quiet -e '.[dev]'
	/tmp/recon-lock/bin/pip freeze --exclude-editable | grep -v '^-e' > requirements.lock

clean:
	rm -rf $(VENV) data .dagster_home bench_data
