"""The int8 backend's linear layer: int8 weights, int8 activations with one scale per row.

Each row of the input (one token's activations) is quantized with its own scale and multiplied
by the int8 weights (one scale per output channel) in integers (`torch._int_mm`, torch's own
int8 GEMM: VNNI on AVX-512 CPUs), then scaled back. Integer products are exact and every other
step is per element, so a row's output does not depend on the rows beside it: an article's
summary is the same alone or in a batch (`tests/test_batch_invariance.py`). torch.ao's dynamic
quantization, which this replaces, computed one scale for the whole batch (7 of 8 headlines
changed with their batch) and is deprecated (docs/results_speed.md).
"""

from __future__ import annotations

import torch

__all__ = ["Int8Linear", "quantize_rows"]


def quantize_rows(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(int8 values, fp32 scale per row) of a 2-D tensor, symmetric: x ~= values * scale."""
    scale = x.abs().amax(dim=-1, keepdim=True).clamp_(min=1e-8).div_(127.0)
    values = (x / scale).round_().clamp_(-127, 127).to(torch.int8)
    return values, scale


class Int8Linear(torch.nn.Module):
    """A `torch.nn.Linear` (fp32) computed in int8 with per-row activation scales."""

    def __init__(self, linear: torch.nn.Linear) -> None:
        super().__init__()
        weight, scale = quantize_rows(linear.weight.detach().float())
        self.in_features, self.out_features = linear.in_features, linear.out_features
        # (in, out) for x @ W^T; the weight scale as a row to broadcast over the output.
        self.register_buffer("weight_t", weight.t().contiguous())
        self.register_buffer("weight_scale", scale.reshape(1, -1))
        self.bias = None if linear.bias is None else torch.nn.Parameter(linear.bias.detach().float(), requires_grad=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shape = x.shape
        rows = x.reshape(-1, shape[-1]).float()
        values, scale = quantize_rows(rows)
        out = _int8_matmul(values, self.weight_t).float().mul_(scale).mul_(self.weight_scale)
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
