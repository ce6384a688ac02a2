# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EXAMPLES := examples

.PHONY: run test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# validate -> plan -> apply -> plan on examples/, against the embedded emulator, from a fresh state.
run: $(STAMP)
	$(BIN)/idamconf emulator reset --config-dir $(EXAMPLES)
	$(BIN)/idamconf validate --config-dir $(EXAMPLES)
	$(BIN)/idamconf plan --config-dir $(EXAMPLES)
	$(BIN)/idamconf apply --config-dir $(EXAMPLES) --auto-approve
	$(BIN)/idamconf plan --config-dir $(EXAMPLES)

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) $(EXAMPLES)/.idamconf
