"""Is an int8 path batch-invariant, and how fast is it? One 250-token prompt (the harbour bridge
example) through the shipped model: seconds per row alone and in a batch of 8 (the other rows
shifted), whether row 0's logits are identical both ways, and their relative error against fp32.

    python experiments/int8_batch_invariance.py fp32|int8|ao|aow
    ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 python experiments/int8_batch_invariance.py int8

fp32: backend "torch"; int8: backend "int8" (`summarizer.weights.int8`: torch._int_mm, one
activation scale per row; until session 15 torch.ao dynamic quantization, one scale per batch,
measured as "old"); ao / aow: torchao 0.18's Int8DynamicActivationInt8WeightConfig (per-token activation
scales, down_proj kept fp32) / Int8WeightOnlyConfig (`pip install torchao==0.18.0`, not a
dependency). Results: docs/results_speed.md, session 13.
"""

from __future__ import annotations

import copy
import sys
import time
from pathlib import Path

import torch

from summarizer import Summarizer
from summarizer.weights.loading import quantize_int8
from summarizer.weights.smoothing import calibration_ids

ARTICLE = Path(__file__).resolve().parents[1] / "examples" / "harbour_bridge.txt"


def timed(model, ids: torch.Tensor, repeats: int = 3) -> tuple[torch.Tensor, torch.Tensor, float, float]:
    """(logits alone, logits in the batch, s alone, s per row in the batch), after a warm-up."""
    with torch.inference_mode():
        model(ids[:1])
        start = time.perf_counter()
        for _ in range(repeats):
            alone = model(ids[:1]).logits
        one = (time.perf_counter() - start) / repeats
        model(ids)
        start = time.perf_counter()
        for _ in range(repeats):
            batch = model(ids).logits
        per_row = (time.perf_counter() - start) / repeats / ids.shape[0]
    return alone, batch, one, per_row


def quantized(fp32, which: str, tokenizer=None):
    if which == "fp32":
        return fp32
    if which == "int8":  # as the int8 backend builds it: smoothed, calibrated on the shipped text
        return quantize_int8(copy.deepcopy(fp32), calibration_ids(tokenizer))
    from torchao.quantization import Int8DynamicActivationInt8WeightConfig, Int8WeightOnlyConfig, quantize_

    model = copy.deepcopy(fp32)
    config = Int8DynamicActivationInt8WeightConfig() if which == "ao" else Int8WeightOnlyConfig()
    keep = ("down_proj", "lm_head") if which == "ao" else ("lm_head",)
    quantize_(model, config, filter_fn=lambda m, name: isinstance(m, torch.nn.Linear) and not name.endswith(keep))
    return model


def main(which: str) -> None:
    summarizer = Summarizer.from_pretrained(None, backend="torch")
    fp32 = summarizer.model.eval()
    text = " ".join(line for line in ARTICLE.read_text(encoding="utf-8").split("\n") if line.strip())
    ids = summarizer.tokenizer([text] * 8, return_tensors="pt").input_ids[:, :250]
    ids[1:] = torch.roll(ids[1:], 3, dims=1)  # the other rows differ from row 0
    reference = timed(fp32, ids, 1)[0]
    alone, batch, one, per_row = timed(quantized(fp32, which, summarizer.tokenizer), ids)
    error = float((alone[0] - reference[0]).norm() / reference[0].norm())
    print(f"{which}: B=1 {one:.3f} s, B=8 {per_row:.3f} s/row; row 0 alone == in batch: "
          f"{torch.equal(alone[0], batch[0])} (max diff {float((alone[0] - batch[0]).abs().max()):.3g}); "
          f"relative error vs fp32 {error:.3f}")


if __name__ == "__main__":
    main(sys.argv[1])
