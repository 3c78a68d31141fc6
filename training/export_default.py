"""Make a trained LoRA adapter the package's shipped default model.

    python -m training.export_default out/default_recipe/adapter [--dest summarizer/resources/default_model]

Copies the adapter's `adapter_config.json`, writes the library's current `summarizer_config.json`
(the prompts must be the ones the adapter was trained with: checked), and writes its
weights in bfloat16 (half the bytes; the merge is done in fp32 and the difference in the merged
weights is below bf16's own rounding of the LoRA product). The model card (`README.md` in the
destination) is kept; `summarizer.weights.shipped` merges the adapter onto the embedded base on first use.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from summarizer.config import SummarizerConfig
from summarizer.weights.adapters import ADAPTER_CONFIG, WEIGHTS
from summarizer.weights.shipped import SHIPPED_DIR, shipped_fingerprint

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
    # Prompts are the training run's (they must match what the adapter learned); decoding
    # settings tuned after training (e.g. the selection style's lead prior) are the library's.
    trained = SummarizerConfig.load(adapter_dir) or SummarizerConfig()
    current = SummarizerConfig()
    for name, style in trained.styles.items():
        if name in current.styles and style.instruction != current.styles[name].instruction:
            raise ValueError(f"style {name!r}: the library's prompt changed since training; retrain or keep it")
    current.save(dest)
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
