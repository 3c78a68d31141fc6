"""Training where bf16 is native (CUDA, AMX / AVX-512-BF16 CPUs), forced here on any CPU:
the weights stay fp32 master weights and bf16 enters only as autocast."""

from __future__ import annotations

import math

import pytest
import torch
from training_helpers import ARTICLE, losses, read_log, run_args

from summarizer import Summarizer
from summarizer.weights.adapters import load_adapter_model
from training.finetune import main


@pytest.fixture(scope="module")
def bf16_run(tiny_causal_dir, tiny_data_dir, tmp_path_factory):
    """Six steps over the same four examples (three epochs), bf16 forced as `auto`'s choice."""
    out = tmp_path_factory.mktemp("bf16_run")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SUMMARIZER_FORCE_BF16", "1")
        assert Summarizer.from_pretrained(tiny_causal_dir, device="cpu").backend == "bf16"  # the trap
        args = run_args(tiny_causal_dir, tiny_data_dir, out, "--num_train_examples", "4",
                        "--gradient_accumulation_steps", "1", "--max_steps", "6", "--learning_rate", "0.01",
                        "--lora_dropout", "0", "--bf16", "--save_steps", "0", "--eval_steps", "0",
                        "--dev_examples_per_task", "0", "--merge", "false")  # fmt: skip
        main(args)
    return out


def test_master_weights_are_fp32_and_bf16_is_autocast(bf16_run):
    first = read_log(bf16_run)[0]
    assert first["weights_dtype"] == "float32" and first["autocast"] == "bf16"


def test_loss_is_finite_and_falls(bf16_run):
    by_step = losses(bf16_run)
    assert len(by_step) == 6 and all(math.isfinite(v) for v in by_step.values())
    # Steps 1-2 see the four examples once, steps 5-6 a third time.
    assert by_step[5] + by_step[6] < by_step[1] + by_step[2]


def test_adapter_merges_onto_the_fp32_base_to_the_unmerged_logits(bf16_run):
    adapter = bf16_run / "adapter"
    unmerged, _, _ = load_adapter_model(adapter, merge=False, device="cpu", dtype=torch.float32)
    merged = Summarizer.from_pretrained(adapter, device="cpu", backend="torch")
    assert next(merged.model.parameters()).dtype == torch.float32
    inputs = merged.tokenizer([ARTICLE], return_tensors="pt")
    with torch.no_grad():
        reference = unmerged(**inputs).logits
        # bf16's tolerance: the adapter was trained under bf16 autocast, merged and run in fp32.
        assert torch.allclose(merged.model(**inputs).logits, reference, atol=1e-2, rtol=1e-2)
