"""The shipped default: a LoRA adapter merged onto the base with torch alone (no peft)."""

from __future__ import annotations

import json

import pytest
import torch

from summarizer import Summarizer
from summarizer.weights.adapters import merge_lora_weights
from summarizer.weights.shipped import has_shipped_adapter, shipped_model_path


def _adapter(tiny_causal_dir, tmp_path, backend="torch"):
    """A peft LoRA adapter on the tiny Llama with non-zero B (fresh LoRA has B = 0), trained on
    fp32 weights as training loads them (or bf16); int8 layers take no adapter."""
    from peft import LoraConfig, get_peft_model

    base = Summarizer.from_pretrained(tiny_causal_dir, backend=backend).model
    peft_model = get_peft_model(base, LoraConfig(r=4, lora_alpha=8, target_modules="all-linear"))
    torch.manual_seed(0)
    with torch.no_grad():
        for name, param in peft_model.named_parameters():
            if "lora_B" in name:
                param.normal_(0, 0.05)
    directory = tmp_path / "adapter"
    peft_model.save_pretrained(directory)
    return peft_model, directory


@pytest.mark.parametrize("backend", ["torch", "bf16"])
def test_manual_merge_matches_peft(tiny_causal_dir, tmp_path, backend):
    # Both merge in fp32 and round once to the weights' dtype, so they agree bit for bit in
    # bfloat16 too (rounding the delta first would be one bf16 step off peft).
    peft_model, directory = _adapter(tiny_causal_dir, tmp_path, backend)
    expected = peft_model.merge_and_unload().state_dict()
    plain = Summarizer.from_pretrained(tiny_causal_dir, backend=backend).model
    merged = merge_lora_weights(plain, directory)
    assert merged == len([k for k in expected if k.endswith("proj.weight")])
    for key, value in plain.state_dict().items():
        torch.testing.assert_close(value, expected[key], rtol=0, atol=0)


def test_merge_refuses_what_it_does_not_implement(tiny_causal_dir, tmp_path):
    _, directory = _adapter(tiny_causal_dir, tmp_path)
    config = json.loads((directory / "adapter_config.json").read_text())
    config["use_dora"] = True
    (directory / "adapter_config.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match="use_dora"):
        merge_lora_weights(Summarizer.from_pretrained(tiny_causal_dir, backend="torch").model, directory)


def test_shipped_model_is_merged_once_and_cached(tiny_causal_dir, tmp_path):
    from training.export_default import export

    peft_model, directory = _adapter(tiny_causal_dir, tmp_path)
    Summarizer.from_pretrained(tiny_causal_dir).config.save(directory)
    shipped = export(directory, tmp_path / "shipped")
    assert has_shipped_adapter(shipped)
    path = shipped_model_path(tiny_causal_dir, tmp_path / "cache", shipped)
    assert path == shipped_model_path(tiny_causal_dir, tmp_path / "cache", shipped)  # cached
    loaded = Summarizer.from_pretrained(path, backend="torch")  # compares numbers: fp32
    reference = peft_model.merge_and_unload()
    ids = torch.tensor([[5, 6, 7, 8]])
    with torch.no_grad():
        # bf16-stored adapter weights: the merged logits agree to bf16 rounding of B @ A.
        torch.testing.assert_close(loaded.model(ids).logits, reference(ids).logits, rtol=2e-2, atol=2e-2)
    assert loaded.config.style("highlights").select_sentences
