"""SmoothQuant for the int8 backend: move the activations' outlier channels into the weights.

Quantizing each activation row with one scale loses most where a few channels are far larger
than the rest. SmoothQuant (Xiao et al., 2023) divides input channel j of a linear layer by s_j
and multiplies the weight's column j by s_j: the product is unchanged, and with s_j =
max|x_j|^alpha / max|W_j|^(1 - alpha) the activations and the weights share the range. The
division is folded into what writes the activations, so it costs nothing at run time: an
attention's q/k/v read `input_layernorm` (its weight divided), an MLP's gate/up read
`post_attention_layernorm`, and its down projection reads `act(gate) * up` (up's rows divided).
The channel maxima come from one fp32 pass over a short English text shipped with the package.

On SmolLM2-135M, with the kernels capped at AVX2 (7-bit weights), KL divergence of the next-token
distributions from fp32 on 6 held-out articles: 0.0353 as int8 was until session 19 (down
projections fp32, output head int8), 0.0188 smoothed with every projection int8 and the head fp32
(`python -m experiments.int8_smoothing`; docs/results_speed.md, session 19).
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import torch

__all__ = ["ALPHA", "calibration_ids", "smooth_decoder_layers"]

ALPHA = 0.5  # 0.3: KL 0.040, 0.5: 0.028, 0.7: 0.040 (AVX2, every projection int8, head int8 too)
CALIBRATION_TEXT = "int8_calibration_en.txt"  # the three example articles (examples/articles.jsonl)


def calibration_ids(tokenizer: Any, max_tokens: int = 512) -> torch.Tensor:
    """The shipped calibration text as the model reads it: in its chat template where it has one."""
    text = (resources.files("summarizer") / "resources" / CALIBRATION_TEXT).read_text(encoding="utf-8").strip()
    if getattr(tokenizer, "chat_template", None):
        ids = tokenizer.apply_chat_template([{"role": "user", "content": text}], add_generation_prompt=True)
        ids = ids["input_ids"] if hasattr(ids, "keys") else ids  # a BatchEncoding in newer transformers
    else:
        ids = tokenizer(text)["input_ids"]
    return torch.tensor([list(ids)[:max_tokens]])


# Decoder families whose layers are Llama's: RMSNorm scaling by its weight (Gemma's scales by 1 +
# weight, where a division would be wrong), q/k/v, gate/up/down projections.
_FAMILIES = {"llama", "mistral", "qwen2"}


def _decoder_layers(model: Any) -> list[Any] | None:
    """The Llama-shaped decoder layers (Llama, Mistral, Qwen2, SmolLM), or None for any other model."""
    if getattr(getattr(model, "config", None), "model_type", None) not in _FAMILIES:
        return None
    layers = getattr(getattr(model, "model", None), "layers", None)
    names = ("input_layernorm", "post_attention_layernorm", "self_attn.q_proj", "self_attn.k_proj",
             "self_attn.v_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj")
    if not layers or not all(_has(layer, name) for layer in layers for name in names):
        return None
    return list(layers)


def _has(module: torch.nn.Module, name: str) -> bool:
    try:
        module.get_submodule(name)
    except AttributeError:
        return False
    return True


def _input_maxima(model: Any, modules: list[torch.nn.Module], ids: torch.Tensor) -> list[torch.Tensor]:
    """max |x_j| over the calibration tokens of each module's input."""
    found: dict[int, torch.Tensor] = {}

    def record(module, args, _output):
        x = args[0].detach().reshape(-1, args[0].shape[-1]).abs().amax(0).float()
        found[id(module)] = x if id(module) not in found else torch.maximum(found[id(module)], x)

    hooks = [module.register_forward_hook(record) for module in modules]
    try:
        with torch.no_grad():  # the decoder without its output head: no logits are needed
            model.model(ids.to(next(model.parameters()).device))
    finally:
        for hook in hooks:
            hook.remove()
    return [found[id(module)] for module in modules]


def _factors(maxima: torch.Tensor, weights: list[torch.Tensor], alpha: float) -> torch.Tensor:
    w = torch.stack([weight.detach().abs().amax(0).float() for weight in weights]).amax(0)
    return (maxima.clamp(min=1e-5).pow(alpha) / w.clamp(min=1e-5).pow(1 - alpha)).clamp(min=1e-5)


def smooth_decoder_layers(model: Any, ids: torch.Tensor, alpha: float = ALPHA) -> bool:
    """Fold SmoothQuant's factors into `model` (fp32, in place) for every q/k/v, gate/up and down
    projection, from the channel maxima on `ids`; False (and nothing changed) where the model's
    layers are not Llama-shaped."""
    layers = _decoder_layers(model)
    if layers is None:
        return False
    readers = [m for layer in layers for m in (layer.self_attn.q_proj, layer.mlp.gate_proj, layer.mlp.down_proj)]
    maxima = iter(_input_maxima(model, readers, ids))
    with torch.no_grad():
        for layer in layers:
            attention, mlp = layer.self_attn, layer.mlp
            qkv, gate_up, down = next(maxima), next(maxima), next(maxima)
            s = _factors(qkv, [attention.q_proj.weight, attention.k_proj.weight, attention.v_proj.weight], alpha)
            layer.input_layernorm.weight.div_(s)
            for linear in (attention.q_proj, attention.k_proj, attention.v_proj):
                linear.weight.mul_(s)
            s = _factors(gate_up, [mlp.gate_proj.weight, mlp.up_proj.weight], alpha)
            layer.post_attention_layernorm.weight.div_(s)
            for linear in (mlp.gate_proj, mlp.up_proj):
                linear.weight.mul_(s)
            s = _factors(down, [mlp.down_proj.weight], alpha)
            mlp.up_proj.weight.div_(s[:, None])
            if mlp.up_proj.bias is not None:
                mlp.up_proj.bias.div_(s)
            mlp.down_proj.weight.mul_(s)
    return True
