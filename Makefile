# The two commands a newcomer needs: `make demo` and `make test`. Both set everything up first.
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup demo test lint docs format bench schema clean

setup:
	@bash tools/bootstrap.sh

demo: setup
	$(BIN)/simgen validate scenarios/default.yaml
	$(BIN)/simgen render scenarios/default.yaml --out out/demo

test: setup lint
	$(BIN)/python -m pytest -q
	$(MAKE) --no-print-directory docs

# the documentation site, into site/; its generated parts come from tools/gen_docs.py
docs: setup
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: setup
	$(BIN)/simgen bench --json out/bench.json

schema: setup
	$(BIN)/simgen schema --out schema/scenario.schema.json

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis site
