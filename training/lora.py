"""LoRA adapters (peft): add them, save them alone, load them onto their base, merge them.

An adapter folder (`<output_dir>/adapter`) holds peft's `adapter_config.json` and
`adapter_model.safetensors`, plus the tokenizer, the `summarizer_config.json` of the run and
`base_model.json` naming the base (null: the embedded default), so it is self-contained:

    from training.lora import load_adapter
    summarizer = load_adapter("out/run/adapter")              # base + adapter (peft)
    summarizer = load_adapter("out/run/adapter", merge=True)  # adapter folded into the weights
"""

from __future__ import annotations

import json
from pathlib import Path

from peft import LoraConfig, PeftModel, TaskType, get_peft_model

from summarizer import Summarizer, SummarizerConfig
from summarizer.weights.embedded import base_model_path
from training.config import ModelArguments

__all__ = ["BASE_FILE", "add_lora", "load_adapter", "save_adapter"]

BASE_FILE = "base_model.json"


def add_lora(summarizer: Summarizer, args: ModelArguments) -> PeftModel:
    """Wrap `summarizer.model` with fresh LoRA adapters; only they require gradients."""
    task_type = TaskType.SEQ_2_SEQ_LM if summarizer.family == "seq2seq" else TaskType.CAUSAL_LM
    config = LoraConfig(
        task_type=task_type,
        r=args.lora_r,
        lora_alpha=args.lora_alpha,
        lora_dropout=args.lora_dropout,
        target_modules=args.target_modules,
    )
    return get_peft_model(summarizer.model, config)


def save_adapter(model: PeftModel, summarizer: Summarizer, directory: str | Path, base: str | None) -> Path:
    """Write the adapter weights alone, with the tokenizer, settings and base name beside them."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(directory)
    summarizer.tokenizer.save_pretrained(directory)
    summarizer.config.save(directory)
    (directory / BASE_FILE).write_text(json.dumps({"model_name_or_path": base}) + "\n", encoding="utf-8")
    return directory


def load_adapter(
    directory: str | Path, *, base: str | None = None, merge: bool = False, device: str | None = None
) -> Summarizer:
    """A `Summarizer` of the adapter's base model with the adapter applied (or merged in).

    base: the base model folder; default the one named in the adapter's `base_model.json`
        (null there means the embedded default model).
    """
    directory = Path(directory)
    if not (directory / "adapter_config.json").is_file():
        raise ValueError(f"{directory} holds no adapter_config.json; pass the adapter folder of a LoRA run")
    if base is None and (directory / BASE_FILE).is_file():
        base = json.loads((directory / BASE_FILE).read_text(encoding="utf-8"))["model_name_or_path"]
    summarizer = Summarizer.from_pretrained(base or base_model_path(), device=device)
    model = PeftModel.from_pretrained(summarizer.model, str(directory))
    model.eval()
    if merge:
        model = model.merge_and_unload()
    config = SummarizerConfig.load(directory) or summarizer.config
    return Summarizer(model, summarizer.tokenizer, config)
