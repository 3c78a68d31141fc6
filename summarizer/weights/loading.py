"""Load any text-to-text checkpoint: encoder-decoder (BART, T5, PEGASUS) or decoder-only.

The family is read from the checkpoint's config (`is_encoder_decoder`), never guessed from the
name, so a renamed or local checkpoint loads the same way.
"""

from __future__ import annotations

import os
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

from summarizer.config import BACKENDS
from summarizer.weights.int8 import Int8Linear, weight_limit
from summarizer.weights.smoothing import smooth_decoder_layers

__all__ = [
    "BACKENDS",
    "FORCE_BF16_ENV",
    "Family",
    "bf16_forced",
    "choose_backend",
    "cpu_flags",
    "detect_family",
    "load_model_and_tokenizer",
    "model_context_length",
    "quantize_int8",
    "resolve_device",
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


# CPU flags (Linux /proc/cpuinfo) with native bfloat16 arithmetic. Without them bf16 is emulated
# and several times slower than fp32 (measured on an AVX2-only EPYC: prefill 57 vs 289 tokens/s).
_BF16_FLAGS = frozenset({"amx_bf16", "avx512_bf16"})


def cpu_flags() -> frozenset[str]:
    """The CPU's feature flags from /proc/cpuinfo (empty where it cannot be read)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("flags"):
                    return frozenset(line.split(":", 1)[1].split())
    except OSError:
        pass
    return frozenset()


# torch's CPU kernel levels below AVX-512: there bf16 runs emulated whatever the CPU's flags.
_BELOW_AVX512 = frozenset({"DEFAULT", "AVX2"})


def kernel_capability() -> str:
    """The instruction set torch's CPU kernels use ("AVX512", "AVX2", ...; ATEN_CPU_CAPABILITY caps it)."""
    return torch.backends.cpu.get_cpu_capability()


# Set to 1 to make backend "auto" choose bf16 on any CPU, as it does on one with native bf16:
# how a machine without it runs the tests (or anything else) the way a bf16 CPU would.
FORCE_BF16_ENV = "SUMMARIZER_FORCE_BF16"


def bf16_forced() -> bool:
    """Whether SUMMARIZER_FORCE_BF16 is set to 1 (unset, empty or 0: no; anything else is an error)."""
    value = os.environ.get(FORCE_BF16_ENV, "").strip()
    if value not in ("", "0", "1"):
        raise ValueError(f"{FORCE_BF16_ENV}={value!r}: set it to 1 (force bf16) or 0 / unset it")
    return value == "1"


def choose_backend(device: torch.device, flags: frozenset[str] | None = None) -> tuple[str, str]:
    """(backend, why) for `backend="auto"`: bf16 where the hardware computes it natively (CUDA
    with bf16 support, CPUs with AMX or AVX-512-BF16); on other CPUs int8 (exact integer
    products, one activation scale per row, so batch-invariant; on the AVX2 path its dev ROUGE is
    within 0.3 of fp32 for each style and casing F1 within 0.001, docs/results_speed.md session
    18); fp32 ("torch") on CUDA without bf16. SUMMARIZER_FORCE_BF16=1 chooses bf16 on this
    machine's CPU whatever its flags (explicit `flags` describe another CPU and are not
    overridden)."""
    if device.type == "cuda":
        if torch.cuda.is_bf16_supported():
            return "bf16", "CUDA device with bfloat16 support"
        return "torch", "CUDA device without bfloat16 support"
    if flags is None and bf16_forced():
        return "bf16", f"{FORCE_BF16_ENV}=1 (bfloat16 forced, native or not)"
    capped = flags is None and kernel_capability() in _BELOW_AVX512
    flags = cpu_flags() if flags is None else flags
    native = sorted(_BF16_FLAGS & flags)
    if native and capped:
        # ATEN_CPU_CAPABILITY=avx2 (how a server without AVX-512 is emulated): the CPU has the
        # units, but torch's kernels will not use them.
        return "int8", (f"torch's CPU kernels are capped at {kernel_capability()} (ATEN_CPU_CAPABILITY): "
                        "bfloat16 would be emulated; int8 is faster than fp32 at the same dev quality")
    if native:
        return "bf16", f"CPU computes bfloat16 natively ({', '.join(native)})"
    return "int8", ("CPU without native bfloat16 (no amx_bf16/avx512_bf16): int8 is faster than fp32 "
                    "at the same dev quality")


# Linear layers left in fp32 by the int8 backend: the output head (its logits are what is read;
# in 7-bit it was half the int8 error, and it is the tied embedding, so no copy). A Llama MLP's
# down projection reads the massive activations: smoothed (`weights.smoothing`) it goes int8
# where the GEMM keeps 7-bit weights (no VNNI: the AVX2 servers, where its fp32 GEMM was a quarter
# of a prompt's time); with 8-bit weights (VNNI) it stays fp32, since all-int8 there moved 4 of 84
# dev highlights (R-1 -0.39, outside the 0.3 the int8 backend is held to) though its KL to fp32
# is lower (0.011 vs AVX2's 0.019); unsmoothed (other families) it stays fp32
# (docs/results_speed.md, sessions 18 and 19).
_KEEP_FP32 = ("lm_head",)
_KEEP_FP32_WITH_DOWN = ("lm_head", "down_proj")


def quantize_int8(model: Any, calibration: torch.Tensor | None = None, keep_fp32: tuple[str, ...] | None = None) -> Any:
    """The model with its linear layers in int8 (`summarizer.weights.int8.Int8Linear`: int8
    weights, activations quantized row by row, so batch-invariant; CPU only), but for those
    whose names end with `keep_fp32` (default: the `_KEEP_FP32*` names). With `calibration`
    (token ids: `smoothing.calibration_ids`) a Llama-shaped model is smoothed first
    (`smoothing.smooth_decoder_layers`)."""
    if next(model.parameters()).device.type != "cpu":
        raise ValueError("backend 'int8' (torch's int8 GEMM, torch._int_mm) runs on CPU only")
    model = model.float()
    smoothed = calibration is not None and smooth_decoder_layers(model, calibration)
    keep = _KEEP_FP32 if smoothed and weight_limit() < 127 else _KEEP_FP32_WITH_DOWN
    keep = keep if keep_fp32 is None else keep_fp32
    layers = [(name, module) for name, module in model.named_modules()
              if isinstance(module, torch.nn.Linear) and not name.endswith(keep)]
    for name, module in layers:
        parent_name, _, child = name.rpartition(".")
        setattr(model.get_submodule(parent_name) if parent_name else model, child, Int8Linear(module))
    return model
