"""The fine-tuning loop: setup, one optimizer step, dev evaluation, checkpoints and the export.

`training.finetune.train` reads top-down through it:

    summarizer = load_base_model(model_args, accelerator.device)
    model = trainable_model(summarizer, model_args)       # LoRA-wrapped, or the model itself
    trainer = Trainer(accelerator, summarizer, model, data.train, data.dev, train_args, config, started)
    trainer.resume(checkpoint)   # optional: weights, optimizer, schedule, RNG, best score so far
    trainer.start(data.stats)    # finetune_config.json and the log's first line
    trainer.fit()                # the steps; log lines, dev scores and checkpoints on schedule
    trainer.finish(model_args)   # the best weights back, the export, the log's last line

One optimizer step (`Trainer.step`) takes `global_batch` examples from `BatchPlan`, gives each
process its share in micro-batches, and divides the summed target-token loss by the number of
target tokens of the whole step (all micro-batches and processes).
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import random
import resource
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from accelerate import Accelerator
from accelerate.state import AcceleratorState, GradientState
from peft import PeftModel
from tqdm.auto import tqdm
from transformers import get_scheduler

from summarizer import Summarizer
from summarizer.weights.embedded import base_model_path
from training import checkpoint as ckpt
from training.config import CONFIG_NAME, FinetuneModelArguments, TrainArguments
from training.data import DevItem
from training.dev_eval import DevScores, evaluate_dev
from training.examples import IGNORE_INDEX, Example, collate, logits_at_targets, target_loss, target_rows_loss
from training.lora import add_lora, save_adapter

__all__ = [
    "LOG_NAME",
    "BatchPlan",
    "Trainer",
    "export_model",
    "load_base_model",
    "reset_accelerate_state",
    "trainable_model",
]

logger = logging.getLogger(__name__)

LOG_NAME = "train_log.jsonl"
# Settings that do not change what a resumed run computes.
RESUME_FREE = frozenset(
    {
        "output_dir",
        "resume",
        "progress",
        "logging_steps",
        "save_steps",
        "save_total_limit",
        "eval_batch_size",
    }
)


# ------------------------------------------------------------------------------ data order
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


def micro_batches(
    examples: Sequence[Example], *, rank: int, world: int, batch_size: int, group_by_length: bool
) -> list[list[Example]]:
    """This process's share of one optimizer step, cut into micro-batches."""
    examples = sorted(examples, key=lambda e: e.length) if group_by_length else list(examples)
    local = list(examples[rank::world])
    return [local[i : i + batch_size] for i in range(0, len(local), batch_size)]


def target_tokens(example: Example) -> int:
    # Decoder-only labels are shifted by one: the first position is always prompt (-100).
    return sum(label != IGNORE_INDEX for label in example.labels)


# ------------------------------------------------------------------------------ setup
def load_base_model(model_args: FinetuneModelArguments, device: torch.device) -> Summarizer:
    """The model to start from. None: the embedded base model, not the shipped default (which is
    this recipe's output).

    Always fp32 (`backend="torch"`): these are the master weights the optimizer updates, and
    bf16 weights would lose most small updates to rounding. `backend="auto"` would choose bf16 on
    CUDA and on bf16 CPUs; bf16 enters training only as autocast (`TrainArguments.bf16`)."""
    path = model_args.model_name_or_path or base_model_path()
    summarizer = Summarizer.from_pretrained(path, device=device, backend="torch", dtype=torch.float32)
    _plain_weights(summarizer.model)
    return summarizer


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


def trainable_model(summarizer: Summarizer, model_args: FinetuneModelArguments) -> torch.nn.Module:
    """The module to train, in training mode: LoRA adapters on the model, or the model itself."""
    lora = model_args.finetune == "lora"
    model = add_lora(summarizer, model_args) if lora else summarizer.model
    if model_args.gradient_checkpointing:
        model.gradient_checkpointing_enable()
        if lora:
            model.enable_input_require_grads()
    model.train()
    return model


def _optimizer(model: torch.nn.Module, args: TrainArguments) -> torch.optim.Optimizer:
    decay, no_decay = [], []
    for _, param in model.named_parameters():
        if param.requires_grad:
            (decay if param.ndim >= 2 else no_decay).append(param)
    groups = [{"params": decay, "weight_decay": args.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW([g for g in groups if g["params"]], lr=args.learning_rate)


def _scheduler(optimizer: torch.optim.Optimizer, args: TrainArguments, total_steps: int):
    warmup = args.warmup_steps or math.ceil(args.warmup_ratio * total_steps)
    schedule = "constant_with_warmup" if args.lr_scheduler == "constant" else args.lr_scheduler
    return get_scheduler(schedule, optimizer, num_warmup_steps=warmup, num_training_steps=total_steps)


def _total_steps(args: TrainArguments, size: int, global_batch: int) -> int:
    if args.max_steps > 0:
        return args.max_steps
    return max(1, math.ceil(args.num_train_epochs * size / global_batch))


def reset_accelerate_state() -> None:
    """Forget accelerate's process-wide settings (not the process group), so another run in this
    process (tests, notebooks) may use other settings. accelerate offers no public call for this;
    its own tests use these two."""
    AcceleratorState._reset_state()
    GradientState._reset_state()


# ------------------------------------------------------------------------------ export
def export_model(
    summarizer: Summarizer, model: torch.nn.Module, model_args: FinetuneModelArguments, output_dir: Path
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


# ------------------------------------------------------------------------------ the log
class TrainLog:
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


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


@dataclass(frozen=True)
class StepStats:
    """One optimizer step, as this process saw it."""

    loss: float  # summed target-token loss of this process's micro-batches
    targets: int  # their target tokens
    seen_tokens: int  # tokens read (prompt and target; seq2seq: encoder plus decoder)
    grad_norm: float | None
    lr: float  # the learning rate the step used


@dataclass
class LogWindow:
    """The steps since the last log line, added up (this process's share; examples: all)."""

    loss: float = 0.0
    tokens: int = 0
    examples: int = 0
    seen_tokens: int = 0
    time: float = 0.0
    grad_norm: float | None = None
    lr: float = 0.0

    def add(self, stats: StepStats, examples: int, seconds: float) -> None:
        self.loss += stats.loss
        self.tokens += stats.targets
        self.examples += examples
        self.seen_tokens += stats.seen_tokens
        self.time += seconds
        self.grad_norm, self.lr = stats.grad_norm, stats.lr


# ------------------------------------------------------------------------------ the loop
class Trainer:
    """One run's loop: the prepared model and optimizer, the data plan, the log and the best
    dev score so far."""

    def __init__(
        self,
        accelerator: Accelerator,
        summarizer: Summarizer,
        model: torch.nn.Module,
        train: list[Example],
        dev: dict[str, list[DevItem]],
        args: TrainArguments,
        config: dict,
        started: float,
    ) -> None:
        self.accelerator, self.summarizer, self.args, self.config = accelerator, summarizer, args, config
        self.train, self.dev, self.started = train, dev, started
        self.output_dir = Path(args.output_dir)
        self.is_main, self.rank = accelerator.is_main_process, accelerator.process_index
        self.world = accelerator.num_processes
        self.family = summarizer.family
        self.trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
        self.global_batch = args.per_device_batch_size * args.gradient_accumulation_steps * self.world
        self.total_steps = _total_steps(args, len(train), self.global_batch)
        optimizer = _optimizer(model, args)
        self.scheduler = _scheduler(optimizer, args, self.total_steps)
        self.model, self.optimizer = accelerator.prepare(model, optimizer)
        self.unwrapped = accelerator.unwrap_model(self.model)
        self.log = TrainLog(self.output_dir / LOG_NAME, self.is_main)
        self.plan = BatchPlan(len(train), self.global_batch, args.seed)
        self.start_step, self.best_score, self.best_step = 0, None, None
        # LoRA layers live inside the base model's modules, so the base model is the adapted
        # model; the library gets a plain transformers model either way.
        unwrapped = self.unwrapped
        eval_model = unwrapped.get_base_model() if isinstance(unwrapped, PeftModel) else unwrapped
        self.eval_summarizer = Summarizer(eval_model, summarizer.tokenizer, summarizer.config)
        # Decoder-only models compute logits at target positions only (`logits_at_targets`).
        self.target_rows = self.family == "causal" and unwrapped.get_output_embeddings() is not None
        self.decoder_start = getattr(unwrapped.config, "decoder_start_token_id", None)
        self.pad_id = summarizer.tokenizer.pad_token_id

    # -------------------------------------------------------------- before the first step
    def resume(self, checkpoint: Path) -> None:
        """Continue from `checkpoint`: weights, optimizer, schedule, this process's RNG, position
        and best score (forgotten if best/ was overwritten after the checkpoint)."""
        state = ckpt.read_state(checkpoint)
        saved = state["config"]
        changed = sorted(
            k for k in (set(self.config) | set(saved)) - RESUME_FREE if self.config.get(k) != saved.get(k)
        )
        if changed:
            logger.warning("resuming with settings that differ from the checkpoint's: %s", changed)
        ckpt.load_trainable(self.unwrapped, checkpoint / "trainable.safetensors")
        self.optimizer.load_state_dict(torch.load(checkpoint / "optimizer.pt", weights_only=True))
        self.scheduler.load_state_dict(torch.load(checkpoint / "scheduler.pt", weights_only=True))
        rng_file = checkpoint / f"rng_state_{self.rank}.pt"
        if rng_file.is_file():
            ckpt.load_rng_state(rng_file)
        self.start_step, self.best_score, self.best_step = (
            state["step"],
            state["best_score"],
            state["best_step"],
        )
        best_file = self.output_dir / ckpt.BEST_DIR / "best.json"
        if self.best_step is not None and (
            not best_file.is_file() or json.loads(best_file.read_text())["step"] != self.best_step
        ):
            logger.warning(
                "best weights of step %s were overwritten after the checkpoint; best starts anew",
                self.best_step,
            )
            self.best_score, self.best_step = None, None
        self.log.truncate_after(self.start_step)
        logger.info("resumed from %s at step %d", checkpoint, self.start_step)

    def start(self, stats: dict[str, dict]) -> None:
        """Write the resolved settings and, on a fresh run, the log's first line."""
        if self.is_main:
            self.output_dir.mkdir(parents=True, exist_ok=True)
            (self.output_dir / CONFIG_NAME).write_text(
                json.dumps(self.config, indent=2) + "\n", encoding="utf-8"
            )
            if self.start_step == 0:
                self.log.path.unlink(missing_ok=True)
                self.log.write(
                    {
                        "step": 0,
                        "tasks": stats,
                        "train_examples": len(self.train),
                        "total_steps": self.total_steps,
                        "global_batch": self.global_batch,
                        "processes": self.world,
                        "trainable_params": self.trainable,
                        "device": str(self.accelerator.device),
                        "family": self.family,
                        "weights_dtype": str(next(self.unwrapped.parameters()).dtype).removeprefix("torch."),
                        "autocast": self.accelerator.mixed_precision,
                    }
                )
        logger.info(
            "%d examples, %d steps of %d examples (%d processes), %d trainable parameters",
            len(self.train), self.total_steps, self.global_batch, self.world, self.trainable,
        )  # fmt: skip

    # -------------------------------------------------------------- the steps
    def fit(self) -> None:
        """Every remaining step, with log lines, dev scores and checkpoints on schedule; the dev
        sets are scored once more after the last step unless that step was just scored."""
        args, total = self.args, self.total_steps
        has_dev = any(self.dev.values())
        window, last_eval = LogWindow(), None
        bar = tqdm(
            total=total,
            initial=self.start_step,
            desc="finetune",
            disable=not (args.progress and self.is_main),
        )
        for step in range(self.start_step, total):
            step_started = time.perf_counter()
            stats = self.step(step)
            done = step + 1
            window.add(stats, self.global_batch, time.perf_counter() - step_started)
            bar.update(1)
            if done % args.logging_steps == 0 or done == total:
                record = self.write_window(done, window)
                bar.set_postfix(loss=f"{record['loss']:.3f}", ex_s=f"{record['examples_per_s']:.2f}")
                window = LogWindow()
            if has_dev and args.eval_steps and done % args.eval_steps == 0:
                self.evaluate(done)
                last_eval = done
            if args.save_steps and (done % args.save_steps == 0 or done == total):
                self.save_checkpoint(done)
        bar.close()
        if has_dev and last_eval != total:
            self.evaluate(total)

    def step(self, step: int) -> StepStats:
        """One optimizer step: this process's micro-batches, gradients synced on the last."""
        examples = [self.train[i] for i in self.plan.step(step)]
        batches = micro_batches(
            examples,
            rank=self.rank,
            world=self.world,
            batch_size=self.args.per_device_batch_size,
            group_by_length=self.args.group_by_length,
        )
        local_targets = sum(target_tokens(e) for m in batches for e in m)
        device = self.accelerator.device
        step_targets = self.accelerator.reduce(torch.tensor(local_targets, device=device), "sum").item()
        loss_sum, seen_tokens = 0.0, 0
        for k, micro in enumerate(batches):
            loss, seen = self._forward_backward(micro, step_targets, sync=k == len(batches) - 1)
            loss_sum += loss
            seen_tokens += seen
        grad_norm = None
        if self.args.max_grad_norm > 0:
            grad_norm = float(
                self.accelerator.clip_grad_norm_(self.model.parameters(), self.args.max_grad_norm)
            )
        lr = self.scheduler.get_last_lr()[0]
        self.optimizer.step()
        self.scheduler.step()
        self.optimizer.zero_grad(set_to_none=True)
        return StepStats(loss_sum, local_targets, seen_tokens, grad_norm, lr)

    def _forward_backward(self, micro: list[Example], step_targets: int, sync: bool) -> tuple[float, int]:
        """Backward of one micro-batch's summed loss over the step's target tokens; returns
        (summed loss, tokens read)."""
        collated = collate(micro, family=self.family, pad_id=self.pad_id, decoder_start_id=self.decoder_start)
        batch = {key: value.to(self.accelerator.device) for key, value in collated.items()}
        labels = batch.pop("labels")
        seen = int(batch["attention_mask"].sum()) + (
            int((labels != IGNORE_INDEX).sum()) if self.family == "seq2seq" else 0
        )
        with self.accelerator.no_sync(self.model) if not sync else contextlib.nullcontext():
            if self.target_rows:
                with logits_at_targets(self.unwrapped, labels):
                    outputs = self.model(**batch, use_cache=False)
                summed, _ = target_rows_loss(outputs.logits, labels)
            else:
                outputs = self.model(**batch, use_cache=False)
                summed, _ = target_loss(outputs.logits, labels, self.family)
            self.accelerator.backward(summed * self.world / max(1, step_targets))
        return summed.item(), seen

    def write_window(self, done: int, window: LogWindow) -> dict:
        """The log line of the steps in `window` (loss over all processes); returns it."""
        device = self.accelerator.device
        totals = self.accelerator.reduce(
            torch.tensor(
                [window.loss, window.tokens, window.seen_tokens], dtype=torch.float64, device=device
            ),
            "sum",
        ).tolist()
        record = {
            "step": done,
            "epoch": round(done * self.global_batch / len(self.train), 4),
            "loss": totals[0] / max(1.0, totals[1]),
            "lr": window.lr,
            "grad_norm": window.grad_norm,
            "examples_per_s": window.examples / window.time,
            "tokens_per_s": totals[2] / window.time,
            "peak_rss_mb": round(peak_rss_mb(), 1),
            "elapsed_s": round(time.perf_counter() - self.started, 1),
            # CPU seconds this process used so far: on a shared machine, elapsed / cpu time
            # shows how much of the CPU the run actually got.
            "cpu_time_s": round(time.process_time(), 1),
        }
        if torch.cuda.is_available() and device.type == "cuda":
            record["peak_gpu_mb"] = round(torch.cuda.max_memory_allocated() / 2**20, 1)
        self.log.write(record)
        return record

    # -------------------------------------------------------------- dev scores and checkpoints
    def evaluate(self, step: int) -> None:
        """Score the dev sets (main process) and keep the weights in best/ if they improved."""
        if self.is_main:
            self.unwrapped.eval()
            with torch.no_grad(), self.accelerator.autocast():
                scores: DevScores = evaluate_dev(self.eval_summarizer, self.dev, self.args.eval_batch_size)
            self.unwrapped.train()
            if self.best_score is None or scores.score > self.best_score:
                self.best_score, self.best_step = scores.score, step
                best_dir = self.output_dir / ckpt.BEST_DIR
                best_dir.mkdir(parents=True, exist_ok=True)
                ckpt.save_trainable(self.unwrapped, best_dir / "trainable.safetensors")
                (best_dir / "best.json").write_text(json.dumps({"step": step, "score": scores.score}) + "\n")
            self.log.write(
                {
                    "step": step,
                    "eval": scores.to_dict(),
                    "best_score": self.best_score,
                    "best_step": self.best_step,
                }
            )
            logger.info(
                "step %d: dev score %.4f (best %.4f at step %s)",
                step,
                scores.score,
                self.best_score,
                self.best_step,
            )
        self.accelerator.wait_for_everyone()

    def save_checkpoint(self, step: int) -> None:
        """Write checkpoint `step` into a temporary folder, rename it when complete, rotate."""
        path = ckpt.checkpoint_path(self.output_dir, step)
        tmp = path.with_name(path.name + ".tmp")
        if self.is_main:
            tmp.mkdir(parents=True, exist_ok=True)
        self.accelerator.wait_for_everyone()
        ckpt.save_rng_state(tmp / f"rng_state_{self.rank}.pt")
        if self.is_main:
            ckpt.save_trainable(self.unwrapped, tmp / "trainable.safetensors")
            torch.save(self.optimizer.state_dict(), tmp / "optimizer.pt")
            torch.save(self.scheduler.state_dict(), tmp / "scheduler.pt")
            state = {
                "step": step,
                "examples_seen": step * self.global_batch,
                "best_score": self.best_score,
                "best_step": self.best_step,
                "config": self.config,
            }
            ckpt.write_state(tmp, state)
        self.accelerator.wait_for_everyone()
        if self.is_main:
            if path.exists():
                shutil.rmtree(path)
            tmp.rename(path)
            ckpt.rotate_checkpoints(self.output_dir, self.args.save_total_limit)
        self.accelerator.wait_for_everyone()

    # -------------------------------------------------------------- after the last step
    def finish(self, model_args: FinetuneModelArguments) -> None:
        """Restore the best dev weights (if not the last step's), export, write the last line."""
        if self.is_main:
            best_file = self.output_dir / ckpt.BEST_DIR / "trainable.safetensors"
            if self.best_step is not None and self.best_step != self.total_steps and best_file.is_file():
                logger.info(
                    "restoring the weights of step %d (best dev score %.4f)", self.best_step, self.best_score
                )
                ckpt.load_trainable(self.unwrapped, best_file)
            export_model(self.summarizer, self.unwrapped, model_args, self.output_dir)
            self.log.write(
                {
                    "step": self.total_steps,
                    "done": True,
                    "best_score": self.best_score,
                    "best_step": self.best_step,
                    "runtime_s": round(time.perf_counter() - self.started, 1),
                    "peak_rss_mb": round(peak_rss_mb(), 1),
                }
            )
        self.accelerator.wait_for_everyone()
