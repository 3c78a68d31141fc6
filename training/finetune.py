"""Fine-tune a `Summarizer` on a weighted mix of summary styles and case restoration.

Run from the repository root:

    python -m training.finetune --config training/configs/cpu_smoke.json
    python -m training.finetune --config training/configs/cpu_recipe.json --output_dir out/recipe
    python -m training.finetune --config training/configs/cpu_recipe.json --output_dir out/recipe --resume
    accelerate launch --num_processes 2 -m training.finetune --config training/configs/gpu_recipe.json
    torchrun --standalone --nproc_per_node 2 -m training.finetune --cpu ...   # 2 CPU processes (gloo)

Any setting can be given as a flag or in the JSON file (flags win); see `training.config`.

The model starts from `Summarizer.from_pretrained(model_name_or_path)` (None: the embedded
default) and is trained, LoRA or full, on examples built with the library's own prompts
(`training.examples`), so training and inference read the same text. The loss counts target
tokens only, summed over the whole optimizer step (all micro-batches and processes) and divided
by their number. `accelerate` runs the loop on one CPU or GPU or on several processes (DDP).

Outputs in `output_dir`:

    finetune_config.json   the resolved settings (readable again by --config)
    train_log.jsonl        one line per logging step (loss, lr, examples/s, tokens/s, peak RSS),
                           per dev evaluation (scores) and a final line
    checkpoints/           the newest `save_total_limit` checkpoints (see training.checkpoint)
    best/                  trainable weights of the best dev score so far
    adapter/               LoRA: the adapter alone (see training.lora); it loads, on its base, with
                           `Summarizer.from_pretrained(output_dir / "adapter")`
    config.json, model.safetensors, tokenizer files, summarizer_config.json
                           full fine-tuning, or LoRA with --merge (the default): the final model
                           (best dev score when dev sets are scored), loadable with
                           `Summarizer.from_pretrained(output_dir)`
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from accelerate import Accelerator
from accelerate.utils import set_seed

from summarizer import Summarizer
from training import checkpoint as ckpt
from training.config import (
    DataArguments,
    FinetuneModelArguments,
    TrainArguments,
    parse_args,
    resolved_config,
)
from training.data import (
    DevItem,
    TaskData,
    allocate,
    dev_item,
    exclude_dev,
    iter_pairs,
    load_heldout,
    load_task,
    mix,
)
from training.examples import Example, ExampleEncoder
from training.loop import LOG_NAME, Trainer, load_base_model, reset_accelerate_state, trainable_model

__all__ = ["LOG_NAME", "PreparedData", "fit_prepared", "main", "prepare_data", "train"]

logger = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> Path:
    model_args, data_args, train_args = parse_args(argv)
    return train(model_args, data_args, train_args)


def train(model_args: FinetuneModelArguments, data_args: DataArguments, train_args: TrainArguments) -> Path:
    """Run one fine-tuning job; returns the output folder."""
    try:
        return _train(model_args, data_args, train_args)
    finally:
        reset_accelerate_state()


def _train(model_args: FinetuneModelArguments, data_args: DataArguments, train_args: TrainArguments) -> Path:
    started = time.perf_counter()
    accelerator = Accelerator(mixed_precision="bf16" if train_args.bf16 else "no", cpu=train_args.cpu)
    config = resolved_config(model_args, data_args, train_args)
    resume_from = _checkpoint_to_resume(Path(train_args.output_dir), train_args.resume)

    set_seed(train_args.seed)
    summarizer = load_base_model(model_args, accelerator.device)
    data = prepare_data(summarizer, data_args, train_args.seed)
    return fit_prepared(accelerator, summarizer, data, model_args, train_args, config, started, resume_from)


def fit_prepared(
    accelerator: Accelerator,
    summarizer: Summarizer,
    data: PreparedData,
    model_args: FinetuneModelArguments,
    train_args: TrainArguments,
    config: dict,
    started: float,
    resume_from: Path | None = None,
) -> Path:
    """Train on data already encoded (here by `prepare_data`, or packed elsewhere: training.gpu)."""
    set_seed(train_args.seed)
    model = trainable_model(summarizer, model_args)
    trainer = Trainer(accelerator, summarizer, model, data.train, data.dev, train_args, config, started)
    if resume_from is not None:
        trainer.resume(resume_from)
    trainer.start(data.stats)
    trainer.fit()
    trainer.finish(model_args)
    return trainer.output_dir


def _checkpoint_to_resume(output_dir: Path, resume: bool) -> Path | None:
    """The latest checkpoint with --resume (which needs one); refuse to overwrite one without."""
    latest = ckpt.latest_checkpoint(output_dir)
    if resume and latest is None:
        raise ValueError(
            f"--resume given but {output_dir / ckpt.CHECKPOINT_DIR} holds no complete checkpoint"
        )
    if not resume and latest is not None:
        raise ValueError(
            f"{output_dir} holds checkpoints of an earlier run: pass --resume to continue it, or pick a new output_dir"
        )
    return latest


# ------------------------------------------------------------------------------ data
@dataclass
class PreparedData:
    """The mixed training examples, the dev sets and per-task statistics."""

    train: list[Example]
    dev: dict[str, list[DevItem]]
    stats: dict[str, dict] = field(default_factory=dict)


def prepare_data(summarizer: Summarizer, data_args: DataArguments, seed: int) -> PreparedData:
    """Filter, split, pair, encode and mix every task's data (deterministic given `seed`)."""
    heldout = load_heldout(data_args.data_dir, data_args.heldout_ngram_overlap)
    tasks = [
        load_task(task, data_args.data_dir, heldout, seed, dev_limit=data_args.dev_examples_per_task)
        for task in data_args.task_configs
    ]
    exclude_dev(tasks, data_args.heldout_ngram_overlap)
    # Casing windows as the model's normalizer cuts them (a task's own window_words wins).
    window_words = summarizer.config.normalize_window_words
    encoder = ExampleEncoder(summarizer, data_args.max_source_tokens, data_args.max_target_tokens)
    counts = allocate([t.weight for t in data_args.task_configs], data_args.num_train_examples)
    per_task: list[list[Example]] = []
    dev: dict[str, list[DevItem]] = {}
    stats: dict[str, dict] = {}
    for data, count in zip(tasks, counts, strict=True):
        dev[data.task.name] = _dev_items(data, data_args.dev_examples_per_task, window_words)
        examples, skipped = _encode_examples(data, count, encoder, seed, window_words)
        per_task.append(examples)
        stats[data.task.name] = {
            "weight": data.task.weight,
            "examples": len(examples),
            "train_records": len(data.train),
            "dev_examples": len(dev[data.task.name]),
            "dropped_heldout": data.dropped_heldout,
            "skipped_too_long": skipped,
            "mean_tokens": sum(e.length for e in examples) / max(1, len(examples)),
        }
        logger.info("task %s: %s", data.task.name, stats[data.task.name])
    return PreparedData(mix(per_task, seed), dev, stats)


def _dev_items(data: TaskData, limit: int, window_words: int) -> list[DevItem]:
    items: list[DevItem] = []
    for record in data.dev:
        if len(items) >= limit:
            break
        item = dev_item(data.task, record, window_words)
        if item is not None:
            items.append(item)
    return items


def _encode_examples(
    data: TaskData, count: int, encoder: ExampleEncoder, seed: int, window_words: int
) -> tuple[list[Example], int]:
    """The task's first `count` pairs that fit the token limits, and how many did not fit."""
    examples: list[Example] = []
    skipped = 0
    for pair in iter_pairs(data, seed, window_words):
        if len(examples) >= count:
            break
        example = encoder.encode(pair)
        if example is not None:
            examples.append(example)
            continue
        skipped += 1
        if skipped > 10 * count + 100:
            raise ValueError(
                f"task {data.task.name!r}: almost no example fits max_source_tokens="
                f"{encoder.max_source_tokens} / max_target_tokens={encoder.max_target_tokens}"
            )
    if len(examples) < count:
        raise ValueError(f"task {data.task.name!r}: its records give no training pairs")
    return examples, skipped


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    main()
