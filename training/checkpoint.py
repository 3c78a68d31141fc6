"""Checkpoints that resume a run exactly: trainable weights, optimizer, scheduler, RNG, position.

Layout of `<output_dir>/checkpoints/checkpoint-000120/`:

    trainable.safetensors   weights that require gradients (LoRA: the adapters only)
    optimizer.pt            AdamW state
    scheduler.pt            learning-rate schedule state
    rng_state_<rank>.pt     Python, NumPy and torch (CPU and CUDA) generators, one per process
    trainer_state.json      step, examples seen, best dev score and its step

A checkpoint is written into a temporary folder and renamed when complete, so the latest
complete one is always safe to resume from. The data position needs no state of its own: the
mixed training set and each epoch's order are functions of the seed, and the step says where
in them the run was.
"""

from __future__ import annotations

import json
import random
import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import load_file, save_file

__all__ = [
    "BEST_DIR",
    "CHECKPOINT_DIR",
    "latest_checkpoint",
    "load_rng_state",
    "load_trainable",
    "rotate_checkpoints",
    "save_rng_state",
    "save_trainable",
    "trainable_state",
]

CHECKPOINT_DIR = "checkpoints"
BEST_DIR = "best"
STATE_FILE = "trainer_state.json"
_NAME = re.compile(r"^checkpoint-(\d+)$")


def checkpoint_path(output_dir: str | Path, step: int) -> Path:
    return Path(output_dir) / CHECKPOINT_DIR / f"checkpoint-{step:06d}"


def list_checkpoints(output_dir: str | Path) -> list[tuple[int, Path]]:
    """Complete checkpoints, oldest first."""
    root = Path(output_dir) / CHECKPOINT_DIR
    if not root.is_dir():
        return []
    found = []
    for path in root.iterdir():
        match = _NAME.match(path.name)
        if match and (path / STATE_FILE).is_file():
            found.append((int(match.group(1)), path))
    return sorted(found)


def latest_checkpoint(output_dir: str | Path) -> Path | None:
    checkpoints = list_checkpoints(output_dir)
    return checkpoints[-1][1] if checkpoints else None


def rotate_checkpoints(output_dir: str | Path, keep: int) -> None:
    """Delete all but the newest `keep` checkpoints (0: keep all)."""
    if keep <= 0:
        return
    for _, path in list_checkpoints(output_dir)[:-keep]:
        shutil.rmtree(path, ignore_errors=True)


def trainable_state(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """Parameters that require gradients, by name (tied weights appear once)."""
    return {name: p.detach().cpu().contiguous() for name, p in model.named_parameters() if p.requires_grad}


def save_trainable(model: torch.nn.Module, path: str | Path) -> None:
    save_file(trainable_state(model), str(path))


def load_trainable(model: torch.nn.Module, path: str | Path) -> None:
    """Load weights written by `save_trainable` into `model`; every name must exist."""
    state = load_file(str(path))
    expected = {name for name, p in model.named_parameters() if p.requires_grad}
    missing, unexpected = expected - set(state), set(state) - expected
    if missing or unexpected:
        raise ValueError(
            f"{path} does not fit this model: {len(missing)} trainable weight(s) missing "
            f"(e.g. {sorted(missing)[:2]}), {len(unexpected)} unexpected (e.g. {sorted(unexpected)[:2]}); "
            "was it written by a run with other model settings (LoRA vs full, another base)?"
        )
    model.load_state_dict(state, strict=False)


def save_rng_state(path: str | Path) -> None:
    state: dict[str, Any] = {
        "python": random.getstate(),
        "numpy": np.random.get_state(),
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    torch.save(state, path)


def load_rng_state(path: str | Path) -> None:
    # Our own file, holding Python and NumPy generator states, which weights_only cannot load.
    state = torch.load(path, weights_only=False)
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def write_state(directory: str | Path, state: dict) -> None:
    (Path(directory) / STATE_FILE).write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")


def read_state(directory: str | Path) -> dict:
    return json.loads((Path(directory) / STATE_FILE).read_text(encoding="utf-8"))
