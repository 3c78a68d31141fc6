"""On the GPU machine: install the carried wheels, and check the machine can run the kit.

The machine's torch, transformers, peft and accelerate are its own versions, not this project's
pins. The run checks the versions it needs and that the project's modules import and work
(ROUGE through the local metric module, the GGUF reader) before it spends minutes on anything,
and stops at once with a message that says what is missing.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import platform
import subprocess
import sys
from pathlib import Path

__all__ = ["MINIMUM", "EnvironmentProblem", "check_environment", "install_wheels"]

# The oldest versions whose APIs the library and the training loop use (dtype= in from_pretrained,
# GGUF loading, peft's all-linear targets, accelerate's autocast).
MINIMUM = {"torch": "2.4", "transformers": "5.0", "peft": "0.13", "accelerate": "1.0", "safetensors": "0.4"}


class EnvironmentProblem(RuntimeError):
    """The machine cannot run the kit (a package missing or too old, no GPU)."""


def install_wheels(work_dir: Path) -> Path | None:
    """Install the staged wheels into `work_dir/site` (once) and put it first on sys.path."""
    wheels = sorted((work_dir / "wheels").glob("*.whl"))
    if not wheels:
        return None
    site = work_dir / "site"
    marker = site / ".installed"
    names = "\n".join(w.name for w in wheels)
    if not (marker.is_file() and marker.read_text() == names):
        command = [sys.executable, "-m", "pip", "install", "-q", "--no-index", "--no-deps", "--no-compile",
                   "--upgrade", "--target", str(site), *map(str, wheels)]  # fmt: skip
        subprocess.run(command, check=True)
        marker.write_text(names)
    sys.path.insert(0, str(site))
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))
    importlib.invalidate_caches()
    return site


def _version_tuple(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split("+")[0].split(".")[:3]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def check_environment(require_cuda: bool = True) -> dict[str, str]:
    """The versions found; EnvironmentProblem naming every problem at once."""
    found, problems = {"python": platform.python_version()}, []
    for name, minimum in MINIMUM.items():
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            problems.append(f"{name} is not installed (needs >= {minimum}; carry its wheel)")
            continue
        if _version_tuple(found[name]) < _version_tuple(minimum):
            problems.append(f"{name} {found[name]} is older than the kit needs (>= {minimum})")
    if not problems:
        problems += _check_project(found, require_cuda)
    if problems:
        raise EnvironmentProblem("this machine cannot run the kit:\n  - " + "\n  - ".join(problems))
    return found


def _check_project(found: dict[str, str], require_cuda: bool) -> list[str]:
    """Import what the run uses and exercise the pieces that depend on carried wheels."""
    problems = []
    import torch

    found["cuda"] = str(torch.version.cuda)
    found["device"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu"
    if require_cuda and not torch.cuda.is_available():
        problems.append("no CUDA device is visible to torch")
    for module in ("gguf", "summarizer", "training.finetune", "experiments.headlines", "training.dev_eval"):
        try:
            importlib.import_module(module)
        except Exception as error:  # noqa: BLE001 - any import failure is the message
            problems.append(f"import {module} failed: {type(error).__name__}: {error}")
    if not problems:
        try:
            from eval.metrics.rouge import rouge_scores

            score = rouge_scores(["the cat sat on the mat"], [["the cat sat"]])[0].rouge1
            if not 0.6 < score < 0.7:
                problems.append(f"ROUGE-1 of a known pair is {score:.3f}, expected 0.667")
        except Exception as error:  # noqa: BLE001
            problems.append(f"ROUGE through eval.metrics.rouge failed: {type(error).__name__}: {error}")
    return problems
