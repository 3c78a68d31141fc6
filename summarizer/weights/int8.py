"""The int8 backend's linear layer: int8 weights, int8 activations with one scale per row.

Each row of the input (one token's activations) is quantized with its own scale and multiplied
by the int8 weights (one scale per output channel) in integers (`torch._int_mm`, torch's own
int8 GEMM: VNNI on AVX-512 CPUs), then scaled back. Weights keep 7 bits where the GEMM would
saturate (`weight_limit`). Integer products are exact and every other
step is per element, so a row's output does not depend on the rows beside it: an article's
summary is the same alone or in a batch (`tests/test_batch_invariance.py`). torch.ao's dynamic
quantization, which this replaces, computed one scale for the whole batch (7 of 8 headlines
changed with their batch) and is deprecated (docs/results_speed.md).
"""

from __future__ import annotations

import functools

import torch

__all__ = ["Int8Linear", "quantize_rows", "weight_limit"]

@functools.cache
def weight_limit() -> int:
    """The largest int8 weight value this machine's int8 GEMM multiplies exactly: 127, or 63.

    Without VNNI (AVX2 CPUs; AVX-512 without VNNI) oneDNN multiplies in pairs with 16-bit
    saturating sums (`vpmaddubsw`, activations shifted to unsigned): 255 x 127 x 2 overflows,
    and 127 x 127 sums came back as 8,160 instead of 1,032,256. Weights within +-63 keep every
    pair sum under 32,767, so the product is exact again (docs/results_speed.md, session 18)."""
    a = torch.full((64, 64), 127, dtype=torch.int8)
    a[::2].neg_()
    for limit in (127, 63):
        b = torch.full((8, 64), limit, dtype=torch.int8).t()  # column-major, as Int8Linear multiplies
        if all(torch.equal(_int8_matmul(a[:m], b), a[:m].to(torch.int32) @ b.to(torch.int32)) for m in (1, 2, 64)):
            return limit
    raise RuntimeError("torch._int_mm is not exact on this CPU even with 7-bit weights; use backend 'torch'")


def quantize_rows(x: torch.Tensor, limit: int = 127) -> tuple[torch.Tensor, torch.Tensor]:
    """(int8 values in [-limit, limit], fp32 scale per row) of a 2-D tensor, symmetric:
    x ~= values * scale."""
    scale = x.abs().amax(dim=-1, keepdim=True).clamp_(min=1e-8).div_(float(limit))
    values = (x / scale).round_().clamp_(-limit, limit).to(torch.int8)
    return values, scale


class Int8Linear(torch.nn.Module):
    """A `torch.nn.Linear` (fp32) computed in int8 with per-row activation scales."""

    def __init__(self, linear: torch.nn.Linear) -> None:
        super().__init__()
        limit = weight_limit()
        weight, scale = quantize_rows(linear.weight.detach().float(), limit)
        self.in_features, self.out_features = linear.in_features, linear.out_features
        # Kept (out, in) and multiplied as its transpose, a column-major (in, out) view: oneDNN
        # takes that layout as it is. A row-major (in, out) copy was reordered on every call, which
        # cost a fixed ~0.45 ms a 576 x 1536 layer without VNNI (one row: 0.56 ms against 0.10
        # ms; `experiments/int8_kernels.py`). The weight scale is a row to broadcast over the output.
        self.register_buffer("weight_int8", weight)
        self.register_buffer("weight_scale", scale.reshape(1, -1))
        self.bias = None if linear.bias is None else torch.nn.Parameter(linear.bias.detach().float(), requires_grad=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shape = x.shape
        rows = x.reshape(-1, shape[-1]).float()
        values, scale = quantize_rows(rows)
        out = _int8_matmul(values, self.weight_int8.t()).float().mul_(scale).mul_(self.weight_scale)
        if self.bias is not None:
            out.add_(self.bias)
        return out.reshape(*shape[:-1], self.out_features)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


def _int8_matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """int32 a @ b of int8 matrices: torch's int8 GEMM where it takes the shapes, else an exact
    int32 product (tiny test models with odd sizes; an empty batch)."""
    try:
        return torch._int_mm(a, b)
    except RuntimeError:
        return a.to(torch.int32) @ b.to(torch.int32)
