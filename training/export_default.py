"""Make a trained LoRA adapter the package's shipped default model.

    python -m training.export_default out/default_recipe/adapter [--dest summarizer/resources/default_model]

Copies the adapter's settings (`adapter_config.json`, `summarizer_config.json`) and writes its
weights in bfloat16 (half the bytes; the merge is done in fp32 and the difference in the merged
weights is below bf16's own rounding of the LoRA product). The model card (`README.md` in the
destination) is kept; `summarizer.shipped` merges the adapter onto the embedded base on first use.
"""

from __future__ import annotations

import argparse
import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from summarizer.shipped import ADAPTER_CONFIG, SETTINGS, SHIPPED_DIR, WEIGHTS, shipped_fingerprint

__all__ = ["export", "main"]


def export(adapter_dir: str | Path, dest: str | Path = SHIPPED_DIR) -> Path:
    adapter_dir, dest = Path(adapter_dir), Path(dest)
    config = json.loads((adapter_dir / ADAPTER_CONFIG).read_text(encoding="utf-8"))
    base = adapter_dir / "base_model.json"
    if base.is_file() and json.loads(base.read_text())["model_name_or_path"] is not None:
        raise ValueError(f"{adapter_dir} was trained on another base; the shipped default must start from the embedded one")
    dest.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.to(torch.bfloat16).contiguous() for k, v in load_file(str(adapter_dir / WEIGHTS)).items()}
    save_file(tensors, str(dest / WEIGHTS), metadata={"format": "pt"})
    config["base_model_name_or_path"] = None  # the embedded base; machine paths do not ship
    (dest / ADAPTER_CONFIG).write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    shutil.copy(adapter_dir / SETTINGS, dest / SETTINGS)
    return dest


def main(argv: Sequence[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("adapter_dir")
    parser.add_argument("--dest", default=str(SHIPPED_DIR))
    args = parser.parse_args(argv)
    dest = export(args.adapter_dir, args.dest)
    size = (dest / WEIGHTS).stat().st_size / 1e6
    print(f"{dest}: {size:.1f} MB, fingerprint {shipped_fingerprint(dest)}")
    return dest


if __name__ == "__main__":
    main()
