"""SmoothQuant folds: the fp32 model computes the same function, and the int8 backend uses them."""

from __future__ import annotations

import copy

import torch
from transformers import AutoModelForCausalLM, AutoModelForSeq2SeqLM, AutoTokenizer

from summarizer.weights.int8 import Int8Linear, weight_limit
from summarizer.weights.loading import quantize_int8
from summarizer.weights.smoothing import calibration_ids, smooth_decoder_layers


def _ids(model, n=40, seed=0):
    torch.manual_seed(seed)
    return torch.randint(5, model.config.vocab_size, (1, n))


def _with_outlier_channels(model):
    """A random tiny model has no outlier channels; give its norms some, as trained models have."""
    with torch.no_grad():
        for layer in model.model.layers:
            for norm in (layer.input_layernorm, layer.post_attention_layernorm):
                norm.weight[:3] = 40.0
    return model


def test_smoothing_keeps_the_fp32_function_and_moves_the_outliers_into_the_weights(tiny_causal_dir):
    model = _with_outlier_channels(AutoModelForCausalLM.from_pretrained(tiny_causal_dir).eval())
    smoothed = copy.deepcopy(model)
    assert smooth_decoder_layers(smoothed, _ids(model, seed=1))
    ids = _ids(model)
    with torch.no_grad():
        assert torch.allclose(smoothed(ids).logits, model(ids).logits, rtol=1e-4, atol=1e-4)
    before, after = (m.model.layers[0].input_layernorm.weight.detach() for m in (model, smoothed))
    assert float(after.abs().max() / after.abs().median()) < float(before.abs().max() / before.abs().median())


def test_smoothed_int8_is_closer_to_fp32_than_plain_int8(tiny_causal_dir):
    model = _with_outlier_channels(AutoModelForCausalLM.from_pretrained(tiny_causal_dir).eval())
    tokenizer = AutoTokenizer.from_pretrained(tiny_causal_dir)
    calibration = calibration_ids(tokenizer)
    assert calibration.dim() == 2 and 0 < calibration.shape[1] <= 512
    plain, smoothed = quantize_int8(copy.deepcopy(model)), quantize_int8(copy.deepcopy(model), calibration)
    # Smoothed, the down projections go int8 where the GEMM keeps 7-bit weights; unsmoothed they
    # stay fp32. The output head stays fp32 either way.
    down = Int8Linear if weight_limit() < 127 else torch.nn.Linear
    assert type(smoothed.model.layers[0].mlp.down_proj) is down and type(smoothed.lm_head) is torch.nn.Linear
    assert type(plain.model.layers[0].mlp.down_proj) is torch.nn.Linear
    ids = _ids(model)
    with torch.no_grad():
        reference = model(ids).logits
        errors = [float((m(ids).logits - reference).norm() / reference.norm()) for m in (plain, smoothed)]
    assert errors[1] < errors[0]


def test_other_families_are_left_as_they_are(tiny_seq2seq_dir):
    model = AutoModelForSeq2SeqLM.from_pretrained(tiny_seq2seq_dir).eval()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    assert not smooth_decoder_layers(model, _ids(model))
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
