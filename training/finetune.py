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
    adapter/               LoRA: the adapter alone (see training.lora)
    config.json, model.safetensors, tokenizer files, summarizer_config.json
                           full fine-tuning, or LoRA with --merge (the default): the final model
                           (best dev score when dev sets are scored), loadable with
                           `Summarizer.from_pretrained(output_dir)`
"""

from __future__ import annotations

import contextlib
import inspect
import json
import logging
import math
import random
import resource
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import torch
from accelerate import Accelerator
from accelerate.state import AcceleratorState, GradientState
from accelerate.utils import set_seed
from peft import PeftModel
from tqdm.auto import tqdm
from transformers import get_scheduler

from summarizer import Summarizer
from summarizer.weights.embedded import base_model_path
from training import checkpoint as ckpt
from training.config import (
    CONFIG_NAME,
    DataArguments,
    ModelArguments,
    TrainArguments,
    parse_args,
    resolved_config,
)
from training.data import DevItem, allocate, dev_item, exclude_dev, iter_pairs, load_heldout, load_task, mix
from training.dev_eval import DevScores, evaluate_dev
from training.examples import IGNORE_INDEX, Example, ExampleEncoder, collate, kept_positions, target_loss
from training.lora import add_lora, save_adapter

__all__ = ["LOG_NAME", "PreparedData", "main", "prepare_data", "train"]

logger = logging.getLogger(__name__)

LOG_NAME = "train_log.jsonl"
# Settings that do not change what a resumed run computes.
_RESUME_FREE = {
    "output_dir",
    "resume",
    "progress",
    "logging_steps",
    "save_steps",
    "save_total_limit",
    "eval_batch_size",
}


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
    window_words = summarizer.config.normalize_window_words
    encoder = ExampleEncoder(summarizer, data_args.max_source_tokens, data_args.max_target_tokens)
    counts = allocate([t.weight for t in data_args.task_configs], data_args.num_train_examples)
    per_task: list[list[Example]] = []
    dev: dict[str, list[DevItem]] = {}
    stats: dict[str, dict] = {}
    for data, count in zip(tasks, counts, strict=True):
        items: list[DevItem] = []
        for record in data.dev:
            if len(items) >= data_args.dev_examples_per_task:
                break
            item = dev_item(data.task, record, window_words)
            if item is not None:
                items.append(item)
        dev[data.task.name] = items
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
                    f"{data_args.max_source_tokens} / max_target_tokens={data_args.max_target_tokens}"
                )
        if len(examples) < count:
            raise ValueError(f"task {data.task.name!r}: its records give no training pairs")
        per_task.append(examples)
        stats[data.task.name] = {
            "weight": data.task.weight,
            "examples": len(examples),
            "train_records": len(data.train),
            "dev_examples": len(items),
            "dropped_heldout": data.dropped_heldout,
            "skipped_too_long": skipped,
            "mean_tokens": sum(e.length for e in examples) / max(1, len(examples)),
        }
        logger.info("task %s: %s", data.task.name, stats[data.task.name])
    return PreparedData(mix(per_task, seed), dev, stats)


def _target_tokens(example: Example) -> int:
    # Decoder-only labels are shifted by one: the first position is always prompt (-100).
    return sum(label != IGNORE_INDEX for label in example.labels)


class BatchPlan:
    """Which examples each optimizer step uses: epoch by epoch through a seeded order of the
    mixed set, `global_batch` examples per step; a step's position follows from its number."""

    def __init__(self, size: int, global_batch: int, seed: int) -> None:
        self.size, self.global_batch, self.seed = size, global_batch, seed
        self._orders: dict[int, list[int]] = {}

    def _order(self, epoch: int) -> list[int]:
        if epoch not in self._orders:
            self._orders = {e: o for e, o in self._orders.items() if e >= epoch - 1}
            self._orders[epoch] = random.Random(f"{self.seed}:epoch:{epoch}").sample(
                range(self.size), self.size
            )
        return self._orders[epoch]

    def step(self, step: int) -> list[int]:
        start = step * self.global_batch
        return [self._order(p // self.size)[p % self.size] for p in range(start, start + self.global_batch)]


def _micro_batches(
    examples: Sequence[Example], *, rank: int, world: int, batch_size: int, group_by_length: bool
) -> list[list[Example]]:
    """This process's share of one optimizer step, cut into micro-batches."""
    examples = sorted(examples, key=lambda e: e.length) if group_by_length else list(examples)
    local = list(examples[rank::world])
    return [local[i : i + batch_size] for i in range(0, len(local), batch_size)]


# ------------------------------------------------------------------------------ model
def _plain_weights(model: torch.nn.Module) -> None:
    """Forget a GGUF quantizer marker: GGUF weights are dequantized to plain tensors on load,
    but the marker makes `save_pretrained` refuse. Other quantized models cannot be trained here."""
    quantizer = getattr(model, "hf_quantizer", None)
    if quantizer is None:
        return
    method = getattr(getattr(quantizer, "quantization_config", None), "quant_method", None)
    if str(getattr(method, "value", method)) != "gguf":
        raise ValueError(f"cannot fine-tune a {method}-quantized model; load it unquantized")
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config


def _optimizer(model: torch.nn.Module, args: TrainArguments) -> torch.optim.Optimizer:
    decay, no_decay = [], []
    for _, param in model.named_parameters():
        if param.requires_grad:
            (decay if param.ndim >= 2 else no_decay).append(param)
    groups = [{"params": decay, "weight_decay": args.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW([g for g in groups if g["params"]], lr=args.learning_rate)


def _export(
    summarizer: Summarizer, model: torch.nn.Module, model_args: ModelArguments, output_dir: Path
) -> None:
    """Write the final model: the adapter alone (LoRA), and full weights loadable by
    `Summarizer.from_pretrained(output_dir)` (full fine-tuning, or LoRA merged)."""
    if model_args.finetune == "lora":
        base = model_args.model_name_or_path
        if base is not None and Path(base).exists():
            base = str(Path(base).resolve())
        save_adapter(model, summarizer, output_dir / "adapter", base)  # type: ignore[arg-type]
        if not model_args.merge:
            return
        model = model.merge_and_unload()  # type: ignore[operator]
    model.eval()
    Summarizer(model, summarizer.tokenizer, summarizer.config).save_pretrained(output_dir)


# ------------------------------------------------------------------------------ the loop
class _Log:
    """Appends JSON lines to train_log.jsonl (main process only)."""

    def __init__(self, path: Path, enabled: bool) -> None:
        self.path, self.enabled = path, enabled

    def truncate_after(self, step: int) -> None:
        """Drop lines of steps after `step` (a resumed run writes them again)."""
        if not self.enabled or not self.path.is_file():
            return
        lines = self.path.read_text(encoding="utf-8").splitlines()
        kept = [line for line in lines if line.strip() and json.loads(line).get("step", 0) <= step]
        kept = [line for line in kept if not json.loads(line).get("done")]
        self.path.write_text("".join(line + "\n" for line in kept), encoding="utf-8")

    def write(self, record: dict) -> None:
        if self.enabled:
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(record) + "\n")


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def train(model_args: ModelArguments, data_args: DataArguments, train_args: TrainArguments) -> Path:
    """Run one fine-tuning job; returns the output folder."""
    try:
        return _train(model_args, data_args, train_args)
    finally:
        # accelerate keeps its settings in process-wide singletons; forget them (not the process
        # group) so another run in this process (tests, notebooks) may use other settings.
        AcceleratorState._reset_state()
        GradientState._reset_state()


def _train(model_args: ModelArguments, data_args: DataArguments, train_args: TrainArguments) -> Path:
    started = time.perf_counter()
    accelerator = Accelerator(mixed_precision="bf16" if train_args.bf16 else "no", cpu=train_args.cpu)
    is_main, rank, world = accelerator.is_main_process, accelerator.process_index, accelerator.num_processes
    output_dir = Path(train_args.output_dir)
    config = resolved_config(model_args, data_args, train_args)
    resume_from = ckpt.latest_checkpoint(output_dir) if train_args.resume else None
    if train_args.resume and resume_from is None:
        raise ValueError(
            f"--resume given but {output_dir / ckpt.CHECKPOINT_DIR} holds no complete checkpoint"
        )
    if not train_args.resume and ckpt.latest_checkpoint(output_dir) is not None:
        raise ValueError(
            f"{output_dir} holds checkpoints of an earlier run: pass --resume to continue it, or pick a new output_dir"
        )

    set_seed(train_args.seed)
    # None: the embedded base model, not the shipped default (which is this recipe's output).
    summarizer = Summarizer.from_pretrained(
        model_args.model_name_or_path or base_model_path(), device=accelerator.device
    )
    _plain_weights(summarizer.model)
    family = summarizer.family
    data = prepare_data(summarizer, data_args, train_args.seed)

    set_seed(train_args.seed)
    model = add_lora(summarizer, model_args) if model_args.finetune == "lora" else summarizer.model
    if model_args.gradient_checkpointing:
        model.gradient_checkpointing_enable()
        if model_args.finetune == "lora":
            model.enable_input_require_grads()
    model.train()
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)

    global_batch = train_args.per_device_batch_size * train_args.gradient_accumulation_steps * world
    size = len(data.train)
    if train_args.max_steps > 0:
        total_steps = train_args.max_steps
    else:
        total_steps = max(1, math.ceil(train_args.num_train_epochs * size / global_batch))
    warmup = train_args.warmup_steps or math.ceil(train_args.warmup_ratio * total_steps)
    optimizer = _optimizer(model, train_args)
    schedule = "constant_with_warmup" if train_args.lr_scheduler == "constant" else train_args.lr_scheduler
    scheduler = get_scheduler(schedule, optimizer, num_warmup_steps=warmup, num_training_steps=total_steps)
    model, optimizer = accelerator.prepare(model, optimizer)
    unwrapped = accelerator.unwrap_model(model)

    log = _Log(output_dir / LOG_NAME, is_main)
    start_step, best_score, best_step = 0, None, None
    if resume_from is not None:
        state = ckpt.read_state(resume_from)
        changed = sorted(
            k
            for k in (set(config) | set(state["config"])) - _RESUME_FREE
            if config.get(k) != state["config"].get(k)
        )
        if changed:
            logger.warning("resuming with settings that differ from the checkpoint's: %s", changed)
        ckpt.load_trainable(unwrapped, resume_from / "trainable.safetensors")
        optimizer.load_state_dict(torch.load(resume_from / "optimizer.pt", weights_only=True))
        scheduler.load_state_dict(torch.load(resume_from / "scheduler.pt", weights_only=True))
        rng_file = resume_from / f"rng_state_{rank}.pt"
        if rng_file.is_file():
            ckpt.load_rng_state(rng_file)
        start_step, best_score, best_step = state["step"], state["best_score"], state["best_step"]
        best_dir = output_dir / ckpt.BEST_DIR
        if best_step is not None and (
            not (best_dir / "best.json").is_file()
            or json.loads((best_dir / "best.json").read_text())["step"] != best_step
        ):
            logger.warning(
                "best weights of step %s were overwritten after the checkpoint; best starts anew", best_step
            )
            best_score, best_step = None, None
        log.truncate_after(start_step)
        logger.info("resumed from %s at step %d", resume_from, start_step)
    if is_main:
        output_dir.mkdir(parents=True, exist_ok=True)
        (output_dir / CONFIG_NAME).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
        if start_step == 0:
            log.path.unlink(missing_ok=True)
            log.write(
                {
                    "step": 0,
                    "tasks": data.stats,
                    "train_examples": size,
                    "total_steps": total_steps,
                    "global_batch": global_batch,
                    "processes": world,
                    "trainable_params": trainable,
                    "device": str(accelerator.device),
                    "family": family,
                }
            )
    logger.info(
        "%d examples, %d steps of %d examples (%d processes), %d trainable parameters",
        size,
        total_steps,
        global_batch,
        world,
        trainable,
    )

    has_dev = any(data.dev.values())
    # LoRA layers live inside the base model's modules, so the base model is the adapted model;
    # the library gets a plain transformers model either way.
    eval_model = unwrapped.get_base_model() if isinstance(unwrapped, PeftModel) else unwrapped
    eval_summarizer = Summarizer(eval_model, summarizer.tokenizer, summarizer.config)

    def evaluate(step: int) -> None:
        nonlocal best_score, best_step
        if is_main:
            unwrapped.eval()
            with torch.no_grad(), accelerator.autocast():
                scores: DevScores = evaluate_dev(eval_summarizer, data.dev, train_args.eval_batch_size)
            unwrapped.train()
            improved = best_score is None or scores.score > best_score
            if improved:
                best_score, best_step = scores.score, step
                best_dir = output_dir / ckpt.BEST_DIR
                best_dir.mkdir(parents=True, exist_ok=True)
                ckpt.save_trainable(unwrapped, best_dir / "trainable.safetensors")
                (best_dir / "best.json").write_text(json.dumps({"step": step, "score": scores.score}) + "\n")
            log.write(
                {"step": step, "eval": scores.to_dict(), "best_score": best_score, "best_step": best_step}
            )
            logger.info(
                "step %d: dev score %.4f (best %.4f at step %s)", step, scores.score, best_score, best_step
            )
        accelerator.wait_for_everyone()

    def save_checkpoint(step: int) -> None:
        path = ckpt.checkpoint_path(output_dir, step)
        tmp = path.with_name(path.name + ".tmp")
        if is_main:
            tmp.mkdir(parents=True, exist_ok=True)
        accelerator.wait_for_everyone()
        ckpt.save_rng_state(tmp / f"rng_state_{rank}.pt")
        if is_main:
            ckpt.save_trainable(unwrapped, tmp / "trainable.safetensors")
            torch.save(optimizer.state_dict(), tmp / "optimizer.pt")
            torch.save(scheduler.state_dict(), tmp / "scheduler.pt")
            ckpt.write_state(
                tmp,
                {
                    "step": step,
                    "examples_seen": step * global_batch,
                    "best_score": best_score,
                    "best_step": best_step,
                    "config": config,
                },
            )
        accelerator.wait_for_everyone()
        if is_main:
            if path.exists():
                shutil.rmtree(path)
            tmp.rename(path)
            ckpt.rotate_checkpoints(output_dir, train_args.save_total_limit)
        accelerator.wait_for_everyone()

    plan = BatchPlan(size, global_batch, train_args.seed)
    # Decoder-only models that can skip the prompt's logits (most of a step's memory) do so.
    keep_logits = (
        family == "causal"
        and "logits_to_keep" in inspect.signature(type(summarizer.model).forward).parameters
    )
    decoder_start = getattr(unwrapped.config, "decoder_start_token_id", None)
    pad_id = summarizer.tokenizer.pad_token_id
    window = {"loss": 0.0, "tokens": 0, "examples": 0, "seen_tokens": 0, "time": 0.0, "grad_norm": None}
    last_eval = None
    bar = tqdm(
        total=total_steps, initial=start_step, desc="finetune", disable=not (train_args.progress and is_main)
    )
    for step in range(start_step, total_steps):
        step_started = time.perf_counter()
        examples = [data.train[i] for i in plan.step(step)]
        micro_batches = _micro_batches(
            examples,
            rank=rank,
            world=world,
            batch_size=train_args.per_device_batch_size,
            group_by_length=train_args.group_by_length,
        )
        local_targets = sum(_target_tokens(e) for m in micro_batches for e in m)
        step_targets = accelerator.reduce(
            torch.tensor(local_targets, device=accelerator.device), "sum"
        ).item()
        loss_sum = 0.0
        seen_tokens = 0
        for k, micro in enumerate(micro_batches):
            batch = {
                key: value.to(accelerator.device)
                for key, value in collate(
                    micro, family=family, pad_id=pad_id, decoder_start_id=decoder_start
                ).items()
            }
            labels = batch.pop("labels")
            seen_tokens += int(batch["attention_mask"].sum()) + (
                int((labels != IGNORE_INDEX).sum()) if family == "seq2seq" else 0
            )
            sync = k == len(micro_batches) - 1
            with accelerator.no_sync(model) if not sync else contextlib.nullcontext():
                if keep_logits:
                    batch["logits_to_keep"] = kept_positions(labels)
                outputs = model(**batch, use_cache=False)
                summed, _ = target_loss(outputs.logits, labels, family)
                accelerator.backward(summed * world / max(1, step_targets))
            loss_sum += summed.item()
        grad_norm = None
        if train_args.max_grad_norm > 0:
            grad_norm = float(accelerator.clip_grad_norm_(model.parameters(), train_args.max_grad_norm))
        lr = scheduler.get_last_lr()[0]
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        done = step + 1
        window["loss"] += loss_sum
        window["tokens"] += local_targets
        window["examples"] += global_batch
        window["seen_tokens"] += seen_tokens
        window["time"] += time.perf_counter() - step_started
        window["grad_norm"] = grad_norm
        bar.update(1)

        if done % train_args.logging_steps == 0 or done == total_steps:
            totals = accelerator.reduce(
                torch.tensor(
                    [window["loss"], window["tokens"], window["seen_tokens"]],
                    dtype=torch.float64,
                    device=accelerator.device,
                ),
                "sum",
            ).tolist()
            record = {
                "step": done,
                "epoch": round(done * global_batch / size, 4),
                "loss": totals[0] / max(1.0, totals[1]),
                "lr": lr,
                "grad_norm": window["grad_norm"],
                "examples_per_s": window["examples"] / window["time"],
                "tokens_per_s": totals[2] / window["time"],
                "peak_rss_mb": round(_peak_rss_mb(), 1),
                "elapsed_s": round(time.perf_counter() - started, 1),
                # CPU seconds this process used so far: on a shared machine, elapsed / cpu time
                # shows how much of the CPU the run actually got.
                "cpu_time_s": round(time.process_time(), 1),
            }
            if torch.cuda.is_available() and accelerator.device.type == "cuda":
                record["peak_gpu_mb"] = round(torch.cuda.max_memory_allocated() / 2**20, 1)
            log.write(record)
            bar.set_postfix(loss=f"{record['loss']:.3f}", ex_s=f"{record['examples_per_s']:.2f}")
            window = {
                "loss": 0.0,
                "tokens": 0,
                "examples": 0,
                "seen_tokens": 0,
                "time": 0.0,
                "grad_norm": None,
            }
        if has_dev and train_args.eval_steps and done % train_args.eval_steps == 0:
            evaluate(done)
            last_eval = done
        if train_args.save_steps and (done % train_args.save_steps == 0 or done == total_steps):
            save_checkpoint(done)
    bar.close()

    if has_dev and last_eval != total_steps:
        evaluate(total_steps)
    if is_main:
        best_file = output_dir / ckpt.BEST_DIR / "trainable.safetensors"
        if best_step is not None and best_step != total_steps and best_file.is_file():
            logger.info("restoring the weights of step %d (best dev score %.4f)", best_step, best_score)
            ckpt.load_trainable(unwrapped, best_file)
        _export(summarizer, unwrapped, model_args, output_dir)
        log.write(
            {
                "step": total_steps,
                "done": True,
                "best_score": best_score,
                "best_step": best_step,
                "runtime_s": round(time.perf_counter() - started, 1),
                "peak_rss_mb": round(_peak_rss_mb(), 1),
            }
        )
    accelerator.wait_for_everyone()
    return output_dir


def main(argv: list[str] | None = None) -> Path:
    model_args, data_args, train_args = parse_args(argv)
    return train(model_args, data_args, train_args)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    main()
