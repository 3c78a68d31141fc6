"""The CUDA path, end to end: the default model on the device, and training steps on it.

    make gpu-check                       # python -m training.gpu.check --json runs/gpu_check.json

On a CUDA machine: loads the default model (`backend="auto"`: bf16 there), summarizes each text
of ../shared/examples in every style, normalizes the wire copy (statistical and model), runs 20
training steps on a tiny random model and on the real one (fp32 master weights, bf16 autocast,
the shipped adapter continued), and prints the outputs and timings. Without CUDA it says so and
exits 0. The GPU kit (`training.gpu.remote`) runs the same check before it trains, and uses the real
model's step time to size its run.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import time
import traceback
from pathlib import Path

import torch

from summarizer import Summarizer
from training.config import FinetuneModelArguments, TrainArguments
from training.examples import Example

__all__ = ["main", "run_check", "tiny_model", "train_steps"]

logger = logging.getLogger(__name__)

STEPS = 20


def _device() -> str:
    return "cuda" if torch.cuda.is_available() else "cpu"


def tiny_model(folder: Path) -> Path:
    """A 2-layer random Llama with the base model's tokenizer (so packed token ids fit it)."""
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    from summarizer.weights.embedded import base_model_path

    tokenizer = AutoTokenizer.from_pretrained(base_model_path())
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=2048,
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id, tie_word_embeddings=True,
    )  # fmt: skip
    LlamaForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def train_steps(examples: list[Example], model_args: FinetuneModelArguments, train_args: TrainArguments,
                folder: Path, steps: int = STEPS) -> dict:  # fmt: skip
    """`steps` optimizer steps of the library's loop; first and last logged loss, seconds per step."""
    from accelerate import Accelerator

    from training.finetune import PreparedData, fit_prepared
    from training.loop import load_base_model, reset_accelerate_state

    bf16 = train_args.bf16 and torch.cuda.is_available()
    args = dataclasses.replace(train_args, output_dir=str(folder), max_steps=steps, save_steps=0, eval_steps=0,
                               logging_steps=max(1, steps // 4), bf16=bf16, progress=False)  # fmt: skip
    batch = args.per_device_batch_size * args.gradient_accumulation_steps
    started = time.perf_counter()
    try:
        accelerator = Accelerator(mixed_precision="bf16" if bf16 else "no")
        summarizer = load_base_model(model_args, accelerator.device)
        data = PreparedData(examples[: steps * batch], {}, {})
        fit_prepared(accelerator, summarizer, data, model_args, args, {"check": True}, started)
    finally:
        reset_accelerate_state()
    log = [json.loads(line) for line in (folder / "train_log.jsonl").open() if '"loss"' in line]
    return {
        "model": model_args.model_name_or_path or "embedded base", "steps": steps, "bf16_autocast": bf16,
        "first_loss": log[0]["loss"], "last_loss": log[-1]["loss"],
        "step_seconds": batch / log[-1]["examples_per_s"], "seconds": round(time.perf_counter() - started, 1),
    }  # fmt: skip


def summarize_examples(seed_dir: Path) -> dict:
    """Every style on each seed text and the wire copy normalized, with the default model."""
    started = time.perf_counter()
    model = Summarizer.from_pretrained(device=_device())
    report: dict = {"backend": model.backend, "load_seconds": round(time.perf_counter() - started, 1), "outputs": []}
    for path in sorted(seed_dir.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for style in model.config.styles:
            start = time.perf_counter()
            summary = model.summarize([text], style=style)[0]
            report["outputs"].append({"file": path.name, "style": style, "text": summary.text,
                                      "seconds": round(time.perf_counter() - start, 2)})  # fmt: skip
        if "wire" in path.name:
            for method in ("statistical", "model"):
                start = time.perf_counter()
                normalized = model.normalize([text], method=method)[0]
                report["outputs"].append({"file": path.name, "normalize": method, "text": normalized.text,
                                          "seconds": round(time.perf_counter() - start, 2)})  # fmt: skip
    return report


def _reported(function, *args) -> dict:
    try:
        return function(*args)
    except Exception as error:  # noqa: BLE001 - the check reports what broke and goes on
        logger.exception("GPU check step %s failed", function.__name__)
        return {"error": f"{type(error).__name__}: {error}", "traceback": traceback.format_exc()[-4000:]}


def run_check(seed_dir: Path, examples: list[Example], model_args: FinetuneModelArguments,
              train_args: TrainArguments, work: Path, out_json: Path | None, quick: bool = False) -> dict:  # fmt: skip
    """The whole check (only the real model's training steps with `quick`); printed and saved."""
    report: dict = {"torch": torch.__version__, "cuda": torch.version.cuda, "device": _device()}
    if torch.cuda.is_available():
        report["device_name"] = torch.cuda.get_device_name(0)
    if not quick:
        # A failure here is a finding to report, not a reason to stop: the kit trains next.
        report["default_model"] = _reported(summarize_examples, seed_dir)
        tiny = dataclasses.replace(model_args, model_name_or_path=str(tiny_model(work / "tiny")), init_adapter=None)
        report["train_tiny"] = _reported(train_steps, examples, tiny, train_args, work / "steps_tiny")
    report["train_real"] = train_steps(examples, model_args, train_args, work / "steps_real")
    report["step_seconds"] = report["train_real"]["step_seconds"]
    print(json.dumps(report, indent=1, ensure_ascii=False), flush=True)
    if out_json is not None:
        out_json.parent.mkdir(parents=True, exist_ok=True)
        out_json.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default="training/configs/gpu_writing_recipe.json",
                        help="fine-tuning settings whose model and batch the training steps use")
    parser.add_argument("--json", default="runs/gpu_check.json")
    args = parser.parse_args(argv)
    if not torch.cuda.is_available():
        print("no CUDA device here: the GPU check has nothing to run (it runs on a CUDA machine).")
        return 0
    from summarizer.paths import data_root
    from training.config import parse_args
    from training.finetune import prepare_data
    from training.loop import load_base_model

    model_args, data_args, train_args = parse_args(["--config", args.config, "--dev_examples_per_task", "0"])
    data_args = dataclasses.replace(data_args, num_train_examples=STEPS * train_args.per_device_batch_size)
    summarizer = load_base_model(model_args, torch.device("cpu"))
    examples = prepare_data(summarizer, data_args, train_args.seed).train
    run_check(data_root().parent / "examples", examples, model_args, train_args, Path("runs/gpu_check"), Path(args.json))
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    raise SystemExit(main())
