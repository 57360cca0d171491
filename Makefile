# 标准起草助手 — developer entry points.  `make run` and `make test` are all a fresh
# machine needs (Python 3.11 with venv); everything else is optional.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
PORT   ?= 8501

.PHONY: setup run test lint eval eval-ci eval-llm eval-llm-replay calibrate-gate bench ingest-samples clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $@

setup: $(STAMP)  ## create .venv and install pinned requirements

run: setup  ## set up, then serve the app on http://localhost:$(PORT) (indexes the samples on first run)
	$(BIN)/streamlit run app.py --server.port $(PORT) --server.headless true

test: setup  ## lint and the full test suite
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

ingest-samples: setup  ## load the bundled samples into the default knowledge base
	$(BIN)/python -m ingest samples

eval: setup  ## evaluation report on every question set (reports/)
	$(BIN)/python -m eval

eval-ci: setup  ## evaluation on the sample set, failing below the CI thresholds
	$(BIN)/python -m eval --set eval/questions_sample.jsonl --check

eval-llm: setup  ## sample set answered by the configured LLM (STDQA_LLM_*); JUDGE=1 adds the judge (STDQA_JUDGE_*)
	$(BIN)/python -m eval --set eval/questions_sample.jsonl --llm $(if $(JUDGE),--judge) --no-naive --out reports/llm

eval-llm-replay: setup  ## re-score the stored replies of the last eval-llm run with the current checking code (no model)
	$(BIN)/python -m eval --llm-replay reports/llm/sample/results.json --no-naive --out reports/llm-replay

# The sets the refusal gate is fitted on (their dev questions; a set's test split is never read).
TUNING_SETS := sample webguides standards fresh fresh2 webguides2 fresh3 webguides3 fresh4 webguides4 fresh5 webguides5 fresh6 webguides6 fresh7 webguides7 fresh8 webguides8 fresh9 webguides9 fresh10 webguides10 fresh11 webguides11 fresh12 webguides12 fresh13 webguides13 fresh14 fresh15 fresh16
CALIBRATION ?= reports/calibration

calibrate-gate: setup  ## refit the refusal gate: score the tuning sets, then leave-one-set-out fit into qa/calibration.json
	$(BIN)/python -m eval --no-naive --no-plots --out $(CALIBRATION) $(foreach s,$(TUNING_SETS),--set eval/questions_$(s).jsonl)
	$(BIN)/python -m eval.calibrate $(foreach s,$(TUNING_SETS),$(CALIBRATION)/$(s)/results.json)

bench: setup  ## speed and memory benchmarks (numbers go to bench/results/)
	$(BIN)/python bench/bench_segment.py
	$(BIN)/python bench/bench_pdf.py
	$(BIN)/python bench/bench_search.py
	$(BIN)/python bench/bench_check.py

clean:
	rm -rf $(VENV) workspace reports bench/results .pytest_cache .ruff_cache
