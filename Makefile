# clausegen — the two quick-start commands are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
OUT    := out

.PHONY: demo test fuzz bench bench-scale evaluate train venv clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[web,test,review]'
	touch $(STAMP)

venv: $(STAMP)

## demo: set up .venv, then validate, render and check the bundled samples
demo: $(STAMP)
	@echo "== validate the sample specs"
	$(BIN)/clausegen validate samples/sla-zh.yaml samples/sla-en.yaml samples/sla-bilingual.yaml
	@echo "== render the sample specs into $(OUT)/ (Word and Markdown)"
	@mkdir -p $(OUT)
	@for s in zh en bilingual; do for f in docx md; do \
	  $(BIN)/clausegen render samples/sla-$$s.yaml -o $(OUT)/sla-$$s.$$f || exit 1; done; done
	@echo "rendered clauses are in $(OUT)/: sla-zh, sla-en, sla-bilingual (.docx and .md)"
	@echo "== check the rendered clauses: all six provisions present"
	$(BIN)/clausegen check $(OUT)/sla-zh.docx $(OUT)/sla-en.docx
	@echo "== check the example contracts in samples/contracts/ (they have gaps on purpose)"
	@$(BIN)/clausegen check samples/contracts/ || echo "(exit $$?: gaps found, as expected)"
	@$(BIN)/clausegen check samples/contracts/ --format sarif > $(OUT)/contracts.sarif || true
	@$(BIN)/clausegen check samples/contracts/ --format json > $(OUT)/contracts.json || true
	@echo "reports: $(OUT)/contracts.json, $(OUT)/contracts.sarif"
	@echo "== review the example contracts as an archive, then the portfolio page"
	$(BIN)/clausegen review samples/contracts/ --out $(OUT)/review
	$(BIN)/clausegen report $(OUT)/review -o $(OUT)/portfolio.html
	@echo "portfolio: $(OUT)/portfolio.html (results: $(OUT)/review/, see docs/scale.md)"

## test: run the whole test suite (slow fuzzing and benchmarks excluded; see `make fuzz`)
test: $(STAMP)
	$(BIN)/python -m pytest -m "not slow" -n 2 -q

## train: retrain the provision classifier from ../shared/corpus/dev (CV by publisher, then the shipped model)
train: $(STAMP)
	$(BIN)/python -m clausegen.check.train train

## evaluate: the checker on the dev corpus, as a fit and cross-validated by publisher (uses make train's scores)
evaluate: $(STAMP)
	$(BIN)/python bench/evaluate.py
	$(BIN)/python bench/evaluate.py --cv --cached

## fuzz: long hypothesis runs over specs and contract text
fuzz: $(STAMP)
	CLAUSEGEN_FUZZ_EXAMPLES=2000 $(BIN)/python -m pytest -m slow -q

## bench: start-up, render and check speed, with baselines measured in the same run
bench: $(STAMP)
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/check_speed.py

## bench-scale: review 2,000 generated documents on Dask with 1 and 2 workers (≈15 min)
bench-scale: $(STAMP)
	$(BIN)/python bench/scale.py

clean:
	rm -rf $(OUT) build dist .pytest_cache
