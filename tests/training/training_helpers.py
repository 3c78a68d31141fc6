"""Shared by the end-to-end tests: the arguments of a tiny run and readers of its log."""

from __future__ import annotations

import json
from pathlib import Path

from training.finetune import LOG_NAME

ARTICLE = (
    "Engineers reopened the Harbour Street bridge on Tuesday after a storm damaged it. "
    "The repair cost 4.2 million pounds, more than the council had budgeted."
)


def family_of(model_dir: Path) -> str:
    return (
        "seq2seq"
        if json.loads((model_dir / "config.json").read_text()).get("is_encoder_decoder")
        else "causal"
    )


def run_args(model_dir: Path, data_dir: Path, out: Path, *extra: str) -> list[str]:
    # The tiny BART has 128 positions; the tiny Llama's chat prompt alone is ~130 tokens.
    source, target = ("300", "96") if family_of(model_dir) == "causal" else ("120", "64")
    return [
        "--model_name_or_path", str(model_dir), "--data_dir", str(data_dir), "--output_dir", str(out),
        "--tasks", "highlights", "headline", "casing",
        "--num_train_examples", "12", "--per_device_batch_size", "2", "--gradient_accumulation_steps", "2",
        "--max_source_tokens", source, "--max_target_tokens", target, "--dev_examples_per_task", "2",
        "--logging_steps", "1", "--no_progress", "--lora_r", "4", *extra,
    ]  # fmt: skip


def read_log(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / LOG_NAME).read_text().splitlines()]


def losses(out: Path) -> dict[int, float]:
    return {r["step"]: r["loss"] for r in read_log(out) if "loss" in r}
