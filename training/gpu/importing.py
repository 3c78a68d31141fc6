"""Bring a GPU run's returned files home as a model folder `Summarizer.from_pretrained` loads.

    python -m training.gpu import /work/.device/<run>/ --dest out/gpu/<name>

The folder is the run's adapter folder (LoRA weights, tokenizer, the run's summarizer settings,
the base it was trained on: the embedded one) with the run's metrics, log and GPU check beside
it; `python -m training.export_default <dest>` ships it as the package default.
"""

from __future__ import annotations

import json
import shutil
import tarfile
from pathlib import Path

from training.gpu.remote import ADAPTER_ARCHIVE, METRICS

__all__ = ["import_run"]

_BESIDE = (METRICS, "train_log.jsonl", "gpu_check.json", "run.log")


def import_run(returned: str | Path, dest: str | Path) -> Path:
    """Unpack `returned/adapter.tar` into `dest` and copy the run's reports beside it."""
    returned, dest = Path(returned), Path(dest)
    archive = returned / ADAPTER_ARCHIVE
    if not archive.is_file():
        raise FileNotFoundError(f"{returned} holds no {ADAPTER_ARCHIVE}: the run did not finish (see its run.log)")
    if dest.exists():
        shutil.rmtree(dest)
    staging = dest.with_name(dest.name + ".tmp")
    if staging.exists():
        shutil.rmtree(staging)
    with tarfile.open(archive) as tar:
        tar.extractall(staging, filter="data")
    (staging / "adapter").rename(dest)
    shutil.rmtree(staging)
    for name in _BESIDE:
        if (returned / name).is_file():
            shutil.copy2(returned / name, dest / f"gpu_{name}")
    config = json.loads((dest / "adapter_config.json").read_text(encoding="utf-8"))
    if config.get("peft_type") != "LORA":
        raise ValueError(f"{dest}: not a LoRA adapter folder")
    return dest
