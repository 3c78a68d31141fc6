"""What a packed run carries, on disk: encoded training examples, dev sets, settings, files.

Payload folder (tarred and xz-compressed by `pack`, unpacked by `remote`):

    run_config.json      the resolved fine-tuning settings and per-task statistics
    examples.npz         the training examples, in training order (see `save_examples`)
    dev.json             the trainer's dev items and the writing studies' dev sets
    base/<file>.gguf     the embedded base model, byte for byte
    seed_examples/       ../shared/examples/*.txt, for the GPU check
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np

from training.data import DevItem
from training.examples import IGNORE_INDEX, Example

__all__ = ["load_dev", "load_examples", "save_dev", "save_examples"]

EXAMPLES = "examples.npz"
DEV = "dev.json"
CONFIG = "run_config.json"
BASE_DIR = "base"
SEED_EXAMPLES = "seed_examples"


def _prompt_length(example: Example) -> int | None:
    """For a decoder-only example whose labels are its ids with the prompt masked: the prompt's
    length (labels need not travel); else None."""
    k = 0
    while k < len(example.labels) and example.labels[k] == IGNORE_INDEX:
        k += 1
    same = len(example.labels) == len(example.input_ids) and example.labels[k:] == example.input_ids[k:]
    return k if same else None


def save_examples(examples: list[Example], path: Path) -> None:
    """Token ids as one flat array with offsets (uint16 when the vocabulary allows); labels as a
    prompt length when they are the ids with the prompt masked, else in full."""
    tasks = sorted({e.task for e in examples})
    ids = np.fromiter((t for e in examples for t in e.input_ids), dtype=np.int64)
    prompt = [_prompt_length(e) for e in examples]
    arrays = {
        "tasks": np.array(tasks),
        "task_index": np.array([tasks.index(e.task) for e in examples], dtype=np.int16),
        "lengths": np.array([len(e.input_ids) for e in examples], dtype=np.int32),
        "input_ids": ids.astype(np.uint16 if ids.size == 0 or ids.max() < 2**16 else np.int32),
    }
    if all(p is not None for p in prompt):
        arrays["prompt_lengths"] = np.array(prompt, dtype=np.int32)
    else:
        arrays["label_lengths"] = np.array([len(e.labels) for e in examples], dtype=np.int32)
        arrays["labels"] = np.fromiter((t for e in examples for t in e.labels), dtype=np.int32)
    np.savez(path, **arrays)


def load_examples(path: Path) -> list[Example]:
    data = np.load(path)
    tasks = [str(t) for t in data["tasks"]]
    ids, lengths = data["input_ids"].astype(np.int64).tolist(), data["lengths"].tolist()
    prompts = data["prompt_lengths"].tolist() if "prompt_lengths" in data else None
    labels = data["labels"].tolist() if prompts is None else None
    label_lengths = data["label_lengths"].tolist() if prompts is None else None
    examples, start, label_start = [], 0, 0
    for i, (task, length) in enumerate(zip(data["task_index"].tolist(), lengths, strict=True)):
        row = tuple(ids[start : start + length])
        start += length
        if prompts is not None:
            row_labels = (IGNORE_INDEX,) * prompts[i] + row[prompts[i] :]
        else:
            row_labels = tuple(labels[label_start : label_start + label_lengths[i]])
            label_start += label_lengths[i]
        examples.append(Example(tasks[task], row, row_labels))
    return examples


def save_dev(trainer_dev: dict[str, list[DevItem]], studies: dict[str, list[list[str]]], path: Path) -> None:
    """The trainer's dev items by task, and each study's (source, reference) pairs by name."""
    payload = {
        "trainer": {task: [dataclasses.asdict(item) for item in items] for task, items in trainer_dev.items()},
        "studies": studies,
    }
    path.write_text(json.dumps(payload, ensure_ascii=False) + "\n", encoding="utf-8")


def load_dev(path: Path) -> tuple[dict[str, list[DevItem]], dict[str, list[tuple[str, str]]]]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    trainer = {
        task: [DevItem(**{**item, "references": tuple(item["references"])}) for item in items]
        for task, items in raw["trainer"].items()
    }
    studies = {name: [(source, reference) for source, reference in pairs] for name, pairs in raw["studies"].items()}
    return trainer, studies
