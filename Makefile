PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test fuzz bench realworld lint clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python scripts/demo.py

# Two workers (CI has two cores); each takes whole test files (or the files that share a
# project, tests/conftest.py), so a shared generated project is built once. JOBS=1 runs
# it in one process.
JOBS ?= 2

test: $(STAMP) lint
	$(BIN)/python -m pytest $(if $(filter 1,$(JOBS)),,-n $(JOBS) --dist loadfile) --durations=25

# The domain fuzzer beyond `make test`'s slice: SCAFFOLD_FUZZ_EXAMPLES drawn domains, each
# printed; SCAFFOLD_FUZZ_SEED replays a run, SCAFFOLD_FUZZ_SHRINK=1 shrinks the first failure.
SCAFFOLD_FUZZ_EXAMPLES ?= 50

fuzz: $(STAMP)
	SCAFFOLD_FUZZ_EXAMPLES=$(SCAFFOLD_FUZZ_EXAMPLES) $(BIN)/python -m pytest -s -q \
		tests/e2e/test_domain_fuzz.py

bench: $(STAMP)
	$(BIN)/python bench/run.py

# Real public checkouts (see bench/README.md); not part of `make test`.
CORPUS ?= /tmp/corpus

realworld: $(STAMP)
	$(BIN)/python bench/realworld.py --corpus $(CORPUS)

lint: $(STAMP)
	$(BIN)/ruff check scaffold tests bench scripts
	$(BIN)/ruff format --check scaffold tests bench scripts

clean:
	rm -rf $(VENV) build dist .pytest_cache
