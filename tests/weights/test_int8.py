"""The int8 linear layer: close to fp32, and each row's output independent of the rows beside it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.weights.int8 import Int8Linear, quantize_rows


def test_rows_quantize_with_their_own_scale():
    x = torch.tensor([[1.0, -2.0, 0.5], [100.0, 0.0, -50.0], [0.0, 0.0, 0.0]])
    values, scale = quantize_rows(x)
    assert values.dtype == torch.int8 and values.abs().max() <= 127
    assert torch.allclose(values.float() * scale, x, atol=float(scale.max()) / 2)
    assert values[0].abs().max() == 127 and values[1].abs().max() == 127 and not values[2].any()


@settings(max_examples=25, deadline=None)
@given(rows=st.integers(1, 40), seed=st.integers(0, 10_000), odd=st.booleans())
def test_a_row_gives_the_same_output_alone_and_in_any_batch(rows, seed, odd):
    torch.manual_seed(seed)
    features = 37 if odd else 64  # odd sizes take the exact int32 path, even ones torch._int_mm
    layer = Int8Linear(torch.nn.Linear(features, 48))
    batch = torch.randn(rows, features) * torch.rand(rows, 1) * 100
    together = layer(batch)
    for k in range(rows):
        assert torch.equal(layer(batch[k:k + 1]), together[k:k + 1])


def test_close_to_the_fp32_layer_and_keeps_the_leading_shape():
    torch.manual_seed(0)
    linear = torch.nn.Linear(64, 32)
    x = torch.randn(2, 5, 64)
    with torch.no_grad():
        out = Int8Linear(linear)(x)
        reference = linear(x)
    assert out.shape == reference.shape
    assert float((out - reference).norm() / reference.norm()) < 0.03


_EXACT_PRODUCT = """
import torch
from summarizer.weights.int8 import _int8_matmul, weight_limit
torch.manual_seed(0)
limit = weight_limit()
a = torch.randint(-127, 128, (64, 1536), dtype=torch.int8)
b = torch.randint(-limit, limit + 1, (576, 1536), dtype=torch.int8).t()  # column-major, as the layer's
exact = torch.equal(_int8_matmul(a, b), a.to(torch.int32) @ b.to(torch.int32))
from summarizer.weights.int8 import Int8Linear
layer = Int8Linear(torch.nn.Linear(576, 1536))
x = torch.randn(40, 576) * torch.rand(40, 1) * 50
together = layer(x)  # one row and 40 take different oneDNN kernels
exact = exact and all(torch.equal(layer(x[k:k + 1]), together[k:k + 1]) for k in range(40))
print(torch.backends.cpu.get_cpu_capability(), limit, exact)
"""


@pytest.mark.parametrize("avx2", [False, True], ids=["native", "avx2"])
def test_the_int8_product_is_exact_on_every_kernel_path(avx2):
    """Without VNNI the GEMM saturates 16-bit pair sums; 7-bit weights keep it exact, and a row
    alone gives what it gives among 40."""
    env = dict(os.environ)
    for name in ("ATEN_CPU_CAPABILITY", "ONEDNN_MAX_CPU_ISA"):
        env.pop(name, None)
    if avx2:
        env.update(ATEN_CPU_CAPABILITY="avx2", ONEDNN_MAX_CPU_ISA="AVX2")
    out = subprocess.run([sys.executable, "-c", _EXACT_PRODUCT], env=env, capture_output=True, text=True, check=True)
    capability, limit, exact = out.stdout.split()
    assert exact == "True", out.stdout
    if avx2:
        assert capability == "AVX2" and limit == "63"
