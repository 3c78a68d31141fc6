"""How close is an int8 configuration to fp32? KL of the next-token distributions (and top-1
agreement) on 6 held-out SumLLM val articles (16-21, 200 tokens each) (issue 34, session 19).

    python -m experiments.int8_smoothing 0:down_proj 0.5: 0.5:lm_head 0.5:down_proj,lm_head 0.3: 0.7:
    python -m experiments.int8_smoothing --simulate 63:127:down_proj 127:127:
    ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 python -m experiments.int8_smoothing ...

A configuration is `alpha:kept`. alpha is SmoothQuant's exponent (0: not smoothed); kept names
the layers left fp32 (empty: none). The maxima come from the shipped calibration text, as the
int8 backend's do.

With `--simulate`, a configuration is `weight limit:activation limit:kept`, computed exactly in
float64 without smoothing. It asks what limits int8: the weights' bits or the activations'.
Results: docs/results_speed.md, session 19.
"""

from __future__ import annotations

import argparse
import copy

import torch

from bench.speed import load_articles
from summarizer import Summarizer
from summarizer.paths import data_root
from summarizer.weights import loading, smoothing
from summarizer.weights.int8 import quantize_rows


class _Simulated(torch.nn.Module):
    """A linear layer with weights and activations rounded to the given limits, in float64."""

    def __init__(self, linear: torch.nn.Linear, weight_limit: int, activation_limit: int) -> None:
        super().__init__()
        values, scale = quantize_rows(linear.weight.detach().float(), weight_limit)
        self.weight_t = (values.double() * scale.double()).t()
        self.limit = activation_limit

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        values, scale = quantize_rows(x.reshape(-1, x.shape[-1]).float(), self.limit)
        return ((values.double() * scale.double()) @ self.weight_t).float().reshape(*x.shape[:-1], -1)


def simulated(fp32, spec: str):
    weight_limit, activation_limit, kept = spec.split(":")
    kept = tuple(kept.split(",")) if kept else ()
    model = copy.deepcopy(fp32)
    model.lm_head = torch.nn.Linear(model.config.hidden_size, model.config.vocab_size, bias=False)
    model.lm_head.weight = torch.nn.Parameter(fp32.lm_head.weight.detach().clone())  # untied
    for name, module in list(model.named_modules()):
        if isinstance(module, torch.nn.Linear) and not name.endswith(kept):
            parent, _, child = name.rpartition(".")
            setattr(model.get_submodule(parent) if parent else model, child,
                    _Simulated(module, int(weight_limit), int(activation_limit)))
    return model


def configured(fp32, tokenizer, spec: str):
    alpha, kept = spec.split(":")
    model = copy.deepcopy(fp32)
    if float(alpha) > 0:
        smoothing.smooth_decoder_layers(model, smoothing.calibration_ids(tokenizer), float(alpha))
    return loading.quantize_int8(model, keep_fp32=tuple(kept.split(",")) if kept else ())  # smoothed above


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("specs", nargs="+")
    parser.add_argument("--simulate", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(2)
    summarizer = Summarizer.from_pretrained(None, backend="torch")
    fp32, tokenizer = summarizer.model.eval(), summarizer.tokenizer
    articles, _ = load_articles(data_root(), 22)
    inputs = [tokenizer([a], return_tensors="pt").input_ids[:, :200] for a in articles[16:22]]
    with torch.inference_mode():
        references = [fp32(ids).logits[0].log_softmax(-1) for ids in inputs]
    print(f"torch kernels {torch.backends.cpu.get_cpu_capability()}")
    for spec in args.specs:
        model = simulated(fp32, spec) if args.simulate else configured(fp32, tokenizer, spec)
        kl = agree = 0.0
        with torch.inference_mode():
            for ids, reference in zip(inputs, references, strict=True):
                out = model(ids).logits[0].log_softmax(-1)
                kl += float(torch.nn.functional.kl_div(out, reference, log_target=True, reduction="batchmean"))
                agree += float((out.argmax(-1) == reference.argmax(-1)).float().mean())
        print(f"{spec}: KL {kl / len(inputs):.4f}, top-1 agreement {agree / len(inputs):.3f}", flush=True)


if __name__ == "__main__":
    main()
