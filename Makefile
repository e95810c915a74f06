# The two commands a newcomer needs: `make run` and `make test`. Both create .venv when needed.
VENV   := .venv
PYTHON ?= python3
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench system-deps template clean

$(STAMP): pyproject.toml clients/python/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q --upgrade pip
	$(VENV)/bin/python -m pip install -q -e ".[dev]" -e clients/python
	touch $(STAMP)

system-deps:
	bash scripts/system-deps.sh

run: $(STAMP)
	bash scripts/system-deps.sh --optional
	$(VENV)/bin/docgen run

test: $(STAMP) system-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check .

bench: $(STAMP)
	$(VENV)/bin/python bench/render_bench.py
	$(VENV)/bin/python bench/pdf_bench.py
	$(VENV)/bin/python bench/bulk_bench.py

# Rebuild the shipped PK template from its python-docx script (overwrites pk-v2.docx; pk-v1.docx stays as shipped).
template: $(STAMP)
	$(VENV)/bin/python doctypes/pk/build_template.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
