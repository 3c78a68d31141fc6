"""The int8 linear layer: close to fp32, and each row's output independent of the rows beside it."""

from __future__ import annotations

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
