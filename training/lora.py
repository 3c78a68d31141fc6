"""LoRA adapters (peft) for training: add them to a model, and save them alone.

An adapter folder (`<output_dir>/adapter`) holds peft's `adapter_config.json` and
`adapter_model.safetensors`, plus the tokenizer, the `summarizer_config.json` of the run and
`base_model.json` naming the base (null: the embedded default), so it is self-contained. The
library loads it (see `summarizer.weights.adapters`, which defines those file names):

    summarizer = Summarizer.from_pretrained("out/run/adapter")  # base + adapter, merged
"""

from __future__ import annotations

import json
from pathlib import Path

from peft import LoraConfig, PeftModel, TaskType, get_peft_model, set_peft_model_state_dict
from safetensors.torch import load_file

from summarizer import Summarizer
from summarizer.weights.adapters import ADAPTER_CONFIG, BASE_FILE, WEIGHTS
from training.config import FinetuneModelArguments

# The adapter folder's file names are the library's (re-exported for callers of this module).
__all__ = ["ADAPTER_CONFIG", "BASE_FILE", "add_lora", "load_initial_weights", "save_adapter"]


def add_lora(summarizer: Summarizer, args: FinetuneModelArguments) -> PeftModel:
    """Wrap `summarizer.model` with fresh LoRA adapters; only they require gradients."""
    task_type = TaskType.SEQ_2_SEQ_LM if summarizer.family == "seq2seq" else TaskType.CAUSAL_LM
    config = LoraConfig(
        task_type=task_type,
        r=args.lora_r,
        lora_alpha=args.lora_alpha,
        lora_dropout=args.lora_dropout,
        target_modules=args.target_modules,
    )
    model = get_peft_model(summarizer.model, config)
    if args.init_adapter is not None:
        load_initial_weights(model, args)
    return model


def load_initial_weights(model: PeftModel, args: FinetuneModelArguments) -> None:
    """Continue training an existing adapter (a second stage of a recipe): copy its weights in.

    The adapter must have the run's rank and alpha (its scale is alpha / r), and every LoRA
    weight of the model must be in it: a partial match would silently train from noise."""
    folder = Path(args.init_adapter)
    saved = json.loads((folder / ADAPTER_CONFIG).read_text(encoding="utf-8"))
    if (saved["r"], saved["lora_alpha"]) != (args.lora_r, args.lora_alpha):
        raise ValueError(
            f"{folder}: rank/alpha {saved['r']}/{saved['lora_alpha']} differ from the run's {args.lora_r}/{args.lora_alpha}"
        )
    weights = {k: v.float() for k, v in load_file(str(folder / WEIGHTS)).items()}
    result = set_peft_model_state_dict(model, weights)
    lora_keys = [k for k in model.state_dict() if "lora_" in k]
    if result.unexpected_keys or any(k in result.missing_keys for k in lora_keys):
        raise ValueError(f"{folder}: adapter weights do not match the model's LoRA layers")


def save_adapter(model: PeftModel, summarizer: Summarizer, directory: str | Path, base: str | None) -> Path:
    """Write the adapter weights alone, with the tokenizer, settings and base name beside them."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(directory)
    summarizer.tokenizer.save_pretrained(directory)
    summarizer.config.save(directory)
    (directory / BASE_FILE).write_text(json.dumps({"model_name_or_path": base}) + "\n", encoding="utf-8")
    return directory
