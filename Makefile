# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EXAMPLES := examples

.PHONY: run test bench reliability mutate mutate-lines clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# --no-compile: pip would otherwise compile every module it installs to bytecode, ~20,000 of them (msgraph-sdk's
# generated models and request builders), of which idamconf imports under a thousand; Python compiles those on their
# first import instead. On this 2-core machine the install took 63 s compiling and 26 s without (docs/testing.md).
$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --no-compile -e '.[test]'
	touch $(STAMP)

# validate -> plan -> apply -> plan on examples/, against the embedded emulator, from a fresh state. Where idamconf is
# said first, so that the last line is the last plan's: "No changes. The tenant matches the configuration."
run: $(STAMP)
	@echo "idamconf is installed in $(BIN)/: run $(BIN)/idamconf, or '. $(BIN)/activate' first (README: Running idamconf)."
	$(BIN)/idamconf emulator reset --config-dir $(EXAMPLES)
	$(BIN)/idamconf validate --config-dir $(EXAMPLES)
	$(BIN)/idamconf plan --config-dir $(EXAMPLES)
	$(BIN)/idamconf apply --config-dir $(EXAMPLES) --auto-approve
	$(BIN)/idamconf plan --config-dir $(EXAMPLES)

# Four workers on this 2-core machine (pytest-xdist, work stealing): the suite mostly waits (emulated latency,
# replication lag, look-ups after lost answers), so two workers left the cores half idle -- 4 min 38 s with
# `-n 2`, 2 min 45 s with `-n 4 --dist worksteal` in the same hour (docs/testing.md).
test: $(STAMP)
	$(BIN)/python -m pytest -n 4 --dist worksteal

# Issue 7's figures, written to docs/performance.md: tenants of 1,000 and 10,000 applications (N=50000: that size).
bench: $(STAMP)
	$(BIN)/python -m benchmarks.run $(if $(N),--sizes $(N))
	$(BIN)/python -m benchmarks.latency

# Issue 6's figures (seeded fault runs, SIGKILL points, hostile inputs, canary), written to docs/reliability.md.
reliability: $(STAMP)
	$(BIN)/python -m benchmarks.reliability

# Mutation testing of the safety rules, written to docs/testing.md; the modules are [tool.idamconf.mutate] in
# pyproject.toml (MODULES="idamconf/plan/diff.py ...": some of them; each quoted, so that a glob such as
# idamconf/lint/* reaches the table as written).
mutate: $(STAMP)
	$(BIN)/python -m benchmarks.mutate $(foreach module,$(MODULES),'$(module)')

# The one-line mutations of benchmarks/line_mutants/*.toml (tables mutmut does not mutate), each against the whole suite.
mutate-lines: $(STAMP)
	$(BIN)/python -m benchmarks.mutate --lines

clean:
	rm -rf $(VENV) $(EXAMPLES)/.idamconf .mutate
