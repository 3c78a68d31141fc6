"""Load any text-to-text checkpoint: encoder-decoder (BART, T5, PEGASUS) or decoder-only.

The family is read from the checkpoint's config (`is_encoder_decoder`), never guessed from the
name, so a renamed or local checkpoint loads the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import torch
from transformers import (
    AutoConfig,
    AutoModelForCausalLM,
    AutoModelForSeq2SeqLM,
    AutoTokenizer,
    PretrainedConfig,
    PreTrainedModel,
)

__all__ = [
    "BACKENDS",
    "Family",
    "detect_family",
    "load_model_and_tokenizer",
    "model_context_length",
    "quantize_int8",
    "resolve_dtype",
]

Family = Literal["seq2seq", "causal"]

_DTYPES = {"float32": torch.float32, "fp32": torch.float32, "bfloat16": torch.bfloat16, "bf16": torch.bfloat16,
           "float16": torch.float16, "fp16": torch.float16}


def detect_family(config: PretrainedConfig) -> Family:
    return "seq2seq" if getattr(config, "is_encoder_decoder", False) else "causal"


def resolve_dtype(dtype: str | torch.dtype | None) -> torch.dtype:
    """fp32 unless asked: bf16 is faster on CPUs with AMX but changes outputs slightly."""
    if dtype is None:
        return torch.float32
    if isinstance(dtype, torch.dtype):
        return dtype
    try:
        return _DTYPES[dtype.lower()]
    except KeyError:
        raise ValueError(f"unknown dtype {dtype!r}; choose one of {sorted(_DTYPES)}") from None


def resolve_device(device: str | torch.device | None) -> torch.device:
    if device is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def load_model_and_tokenizer(
    name_or_path: str | Path, *, device: str | torch.device | None = None, dtype: str | torch.dtype | None = None
) -> tuple[PreTrainedModel, object, Family]:
    """Load weights and tokenizer from a local folder or a hub id (where the hub is reachable)."""
    name = str(name_or_path)
    config = AutoConfig.from_pretrained(name)
    family = detect_family(config)
    auto = AutoModelForSeq2SeqLM if family == "seq2seq" else AutoModelForCausalLM
    model = auto.from_pretrained(name, dtype=resolve_dtype(dtype))
    model.to(resolve_device(device))
    model.eval()
    tokenizer = AutoTokenizer.from_pretrained(name)
    return model, tokenizer, family


def model_context_length(model: PreTrainedModel, tokenizer: object) -> int:
    """Longest input the model can attend to, from its config (falling back to the tokenizer)."""
    config = model.config
    for attr in ("max_position_embeddings", "n_positions", "max_sequence_length", "n_ctx"):
        value = getattr(config, attr, None)
        if isinstance(value, int) and value > 0:
            return value
    # T5 has relative positions and no hard limit; its tokenizer states the trained length.
    limit = getattr(tokenizer, "model_max_length", None)
    if isinstance(limit, int) and 0 < limit < 1_000_000:
        return limit
    return 512


# How the weights run: "torch" (in the requested dtype), "bf16" (bfloat16 weights and
# activations), "int8" (dynamic int8 linear layers, CPU only).
BACKENDS = ("torch", "bf16", "int8")


def quantize_int8(model: Any) -> Any:
    """The model with its linear layers dynamically quantized to int8 (weights int8, activations
    quantized per batch; CPU only). The tied embedding stays fp32."""
    if next(model.parameters()).device.type != "cpu":
        raise ValueError("backend 'int8' (torch dynamic quantization) runs on CPU only")
    model = model.float()
    return torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
