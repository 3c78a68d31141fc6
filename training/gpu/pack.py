"""Pack a fine-tuning run for the GPU machine (runs here, where the data and the model are).

    python -m training.gpu pack --config training/configs/gpu_writing_recipe.json

Encodes the recipe's training examples and dev sets with the library's own prompts (the machine
never sees ../shared/data), adds the embedded base model's GGUF and the seed examples, compresses
the lot and cuts it into as many stage folders as the travel limit needs (see `staging`), with
the Python wheels the machine lacks. Prints the calls to make there, in order.
"""

from __future__ import annotations

import json
import logging
import math
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import torch

from summarizer import Summarizer
from summarizer.paths import data_root
from summarizer.weights.embedded import gguf_path
from training.config import FinetuneModelArguments, parse_args, resolved_config
from training.finetune import prepare_data
from training.gpu import limits, payload, staging
from training.loop import load_base_model

__all__ = ["WHEELS", "lora_layer_dims", "pack", "study_sets"]

logger = logging.getLogger(__name__)

# What the GPU machine lacks that the run imports (its image has torch, transformers, peft,
# accelerate, numpy, pyarrow, pandas, absl, ...; see the device tool's KINDS.md). Pure Python.
WHEELS = ("gguf==0.19.0", "evaluate==0.4.6", "datasets==5.2.0", "dill==0.4.1", "multiprocess==0.70.19",
          "nltk==3.10.4", "rouge-score==0.1.2")  # fmt: skip
_PLATFORM = ["--python-version", "3.12", "--implementation", "cp", "--platform", "manylinux_2_28_x86_64",
             "--platform", "manylinux_2_17_x86_64", "--platform", "manylinux2014_x86_64"]  # fmt: skip


def lora_layer_dims(model: torch.nn.Module, model_args: FinetuneModelArguments) -> list[tuple[int, int]]:
    """(in, out) of every linear layer the run's LoRA targets (all-linear: all but the output head)."""
    targets = model_args.target_modules
    dims = []
    for name, module in model.named_modules():
        if not isinstance(module, torch.nn.Linear) or name.endswith("lm_head"):
            continue
        if targets == "all-linear" or name.rsplit(".", 1)[-1] in targets:
            dims.append((module.in_features, module.out_features))
    return dims


def study_sets(limit: int) -> dict[str, list[list[str]]]:
    """The writing studies' fixed dev sets (`training.devsets`), as (source, reference) pairs."""
    from training.devsets import bbc_dev, rss_dev, xsum_extra_dev

    return {
        "headline_rss": [list(p) for p in rss_dev(limit)],
        "headline_bbc": [list(p) for p in bbc_dev(limit)],
        "one_sentence_xsum": [[r["article"], r["references"][0]] for r in xsum_extra_dev(limit)],
    }


def download_wheels(dest: Path) -> list[Path]:
    """The wheels of `WHEELS` for the machine's Python 3.12 (cached in `dest`)."""
    dest.mkdir(parents=True, exist_ok=True)
    for spec in WHEELS:
        name, version = spec.split("==")
        stem = f"{name.replace('-', '_')}-{version}-"
        if any(w.name.startswith(stem) for w in dest.glob("*.whl")):
            continue
        pip = [sys.executable, "-m", "pip"]
        command = [*pip, "download", "-q", "--no-deps", "--only-binary=:all:", *_PLATFORM, "-d", str(dest), spec]
        if subprocess.run(command, capture_output=True).returncode != 0:  # sdist only: build it here
            subprocess.run([*pip, "wheel", "-q", "--no-deps", "-w", str(dest), spec], check=True)
    return sorted(dest.glob("*.whl"))


def build_payload(config: str, folder: Path, study_limit: int, base: Path | None = None) -> dict:
    """Write the payload folder; returns its run config (settings and task statistics)."""
    model_args, data_args, train_args = parse_args(["--config", config])
    summarizer: Summarizer = load_base_model(model_args, torch.device("cpu"))
    adapter = limits.check_adapter_fits(lora_layer_dims(summarizer.model, model_args), model_args.lora_r, 2)
    prepared = prepare_data(summarizer, data_args, train_args.seed)
    folder.mkdir(parents=True)
    payload.save_examples(prepared.train, folder / payload.EXAMPLES)
    payload.save_dev(prepared.dev, study_sets(study_limit) if study_limit else {}, folder / payload.DEV)
    run_config = {
        "config": resolved_config(model_args, data_args, train_args),
        "stats": prepared.stats,
        "adapter_bytes_bf16": adapter,
        "train_tokens": sum(e.length for e in prepared.train),
    }
    (folder / payload.CONFIG).write_text(json.dumps(run_config, indent=1) + "\n", encoding="utf-8")
    source = base or gguf_path()
    (folder / payload.BASE_DIR).mkdir()
    shutil.copy2(source, folder / payload.BASE_DIR / source.name)
    seeds = folder / payload.SEED_EXAMPLES
    seeds.mkdir()
    for text in sorted((data_root().parent / "examples").glob("*.txt")):
        shutil.copy2(text, seeds / text.name)
    return run_config


def compress(folder: Path, target: Path) -> Path:
    """xz-compressed tar of `folder`'s contents (multi-threaded xz when the `xz` tool is there)."""
    plain = target.with_suffix("")
    with tarfile.open(plain, "w") as tar:
        for path in sorted(folder.iterdir()):
            tar.add(path, arcname=path.name)
    if shutil.which("xz"):
        subprocess.run(["xz", "-T0", "-6", "-f", str(plain)], check=True)
    else:
        import lzma

        with plain.open("rb") as f, lzma.open(target, "wb", preset=6) as out:
            shutil.copyfileobj(f, out, 1 << 20)
        plain.unlink()
    return target


def pack(config: str, name: str, kit_root: Path, repo: Path, study_limit: int, run_args: list[str],
         wheels_dir: Path | None = None, base: Path | None = None, capacity: int | None = None,
         with_wheels: bool = True) -> staging.Manifest:  # fmt: skip
    """Build, compress and cut the payload into `kit_root / name / stage*` (calls of `capacity`
    bytes beside the tree, default the most a call can carry; no wheels for a machine that has
    the packages, e.g. a CPU rehearsal in this project's environment)."""
    build = kit_root / f"{name}.build"
    if build.exists():
        shutil.rmtree(build)
    run_config = build_payload(config, build / "payload", study_limit, base)
    logger.info("payload: %d examples, %d tokens", sum(s["examples"] for s in run_config["stats"].values()),
                run_config["train_tokens"])  # fmt: skip
    archive = compress(build / "payload", build / "payload.tar.xz")
    wheels = download_wheels(wheels_dir or kit_root / "wheels") if with_wheels else []
    largest = limits.TRAVEL_LIMIT - limits.tree_bytes(repo) - limits.TRAVEL_MARGIN
    if capacity is not None and capacity > largest:
        raise ValueError(f"a call carries at most {largest / 2**20:.1f} MiB beside this tree, not {capacity / 2**20:.1f}")
    capacity = capacity or largest
    wheel_bytes = sum(w.stat().st_size for w in wheels)
    calls = max(1, math.ceil((archive.stat().st_size + wheel_bytes) / capacity))
    manifest = staging.cut(archive, kit_root / name, [capacity] * calls, wheels, run_args)
    shutil.rmtree(build)
    return manifest


def print_calls(manifest: staging.Manifest, kit_root: Path) -> None:
    kit = kit_root / manifest.name
    command = f"python3 -m training.gpu run --kit {kit} --out $OUT"
    print(f"payload {manifest.payload_size / 2**20:.1f} MiB in {len(manifest.parts)} call(s); make them in order,")
    print("each within 30 s of the last (staged parts live only while the machine is warm):")
    for k in range(1, len(manifest.parts) + 1):
        last = k == len(manifest.parts)
        print(f"  {k}. run(command={command!r}, carry=[{str(kit / f'stage{k}')!r}], timeout_s={600 if last else 120})")
    print(f"then here: python -m training.gpu import <files_at> --dest out/gpu/{manifest.name}")
