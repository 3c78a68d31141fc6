"""Typed settings of a fine-tuning run, parsed with `HfArgumentParser` from flags or one JSON file.

Three concerns, three dataclasses: `FinetuneModelArguments` (which model, LoRA or full
fine-tuning; not `eval.config.ModelArguments`, which picks a model to evaluate), `DataArguments`
(data root, the mixed tasks, token limits) and `TrainArguments` (optimizer, schedule, batching,
checkpoints, evaluation). Each task of the mix is a `TaskConfig`, given as
a preset name (`highlights`), a preset with a weight (`highlights:0.4`), or in a JSON config a
dict (`{"preset": "highlights", "weight": 0.4, "max_records": 200}` or a full task).

`parse_args(argv)` reads `--config FILE.json` first, then lets any flag override it; the
resolved settings are written beside the outputs as `finetune_config.json`, a file that
`--config` reads back to repeat the run.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from transformers import HfArgumentParser

from summarizer.paths import data_root

__all__ = [
    "CONFIG_NAME",
    "PAIRINGS",
    "PRESETS",
    "DataArguments",
    "FinetuneModelArguments",
    "TaskConfig",
    "TrainArguments",
    "parse_args",
    "resolved_config",
]

CONFIG_NAME = "finetune_config.json"

# How a record becomes (input, target) pairs:
#   references: article -> each reference whose kind is wanted;
#   title:      body -> the article's first line (BBC articles start with their title);
#   lead:       the rest of the article -> its first `lead_sentences` sentences (XSum was built
#               this way from BBC articles with one sentence; with three it is the lead bias);
#   casing:     lowercased PTB-tokenized window -> the same window cased (wire-copy casing).
PAIRINGS = ("references", "title", "lead", "casing")
TARGET_FORMATS = ("raw", "ptb", "xsum_gold")


@dataclass(frozen=True)
class TaskConfig:
    """One task of the training mix: where its records come from and how they become pairs."""

    name: str
    pairing: str
    # A .jsonl or .csv file, or a folder written by `datasets.Dataset(Dict).save_to_disk`;
    # relative paths are looked up under the data root.
    path: str
    # Summary style (a key of `SummarizerConfig.styles`); unused by casing tasks.
    style: str | None = None
    weight: float = 1.0
    # Keep only records whose `split` is one of these (None: all records).
    splits: tuple[str, ...] | None = None
    # Keep only records whose `dataset` is one of these (None: all).
    datasets: tuple[str, ...] | None = None
    # Dev records: those whose `split` is one of `dev_splits`, else `dev_size` records held out
    # from the training records. Dev records never reach training, in any task.
    dev_splits: tuple[str, ...] | None = None
    dev_size: int = 0
    # Dev records by a hash of the record's `id` (files with no split of their own, e.g.
    # rss_news, xsum_extra): those with `id_bucket(id, dev_modulus) == dev_remainder`. Fixed by
    # the id alone, so the experiments score exactly the records training never saw.
    dev_modulus: int = 0
    dev_remainder: int = 0
    # Record fields.
    text_field: str = "article"
    references_field: str = "references"
    # Keep references whose `reference_kind` (or one of its '+'-joined parts) is listed.
    reference_kinds: tuple[str, ...] | None = None
    # raw: as given; ptb: cased PTB tokens, detokenized; xsum_gold: lowercased XSum gold with
    # literal \' escapes, re-cased by the shipped statistical truecaser and detokenized.
    target_format: str = "raw"
    # lead pairing: sentences in the target and the fewest that must remain as input.
    lead_sentences: int = 3
    min_rest_sentences: int = 3
    # Drop the first line (a title) before pairing; `title` pairing always splits it off.
    skip_title: bool = False
    # casing pairing: windows sampled per text, and their size in words. None: the trained
    # model's own `normalize_window_words` (by default `SummarizerConfig().normalize_window_words`,
    # the library's one constant), so training windows match the normalizer's at inference.
    windows_per_text: int = 2
    window_words: int | None = None
    # Read at most this many records after filtering (None: all).
    max_records: int | None = None
    # Skip records whose text has fewer words (a 9-word RSS description teaches little).
    min_text_words: int = 0
    # Drop pairs whose target names a person/place/organisation or a number the source lacks:
    # headlines often add what the description never says, and training on those teaches the
    # model to invent (the guard would then drop the headline at run time).
    faithful_only: bool = False

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("a task needs a name")
        if self.pairing not in PAIRINGS:
            raise ValueError(
                f"task {self.name!r}: unknown pairing {self.pairing!r}; choose one of {PAIRINGS}"
            )
        if self.pairing != "casing" and not self.style:
            raise ValueError(f"task {self.name!r}: a {self.pairing!r} task needs a summary style")
        if not self.weight > 0:
            raise ValueError(f"task {self.name!r}: weight must be > 0, got {self.weight}")
        if self.target_format not in TARGET_FORMATS:
            raise ValueError(
                f"task {self.name!r}: unknown target_format {self.target_format!r}; choose one of {TARGET_FORMATS}"
            )
        for name in ("dev_size", "lead_sentences", "min_rest_sentences", "windows_per_text", "dev_modulus",
                     "dev_remainder", "min_text_words"):
            minimum = 1 if name in ("lead_sentences", "windows_per_text") else 0
            if getattr(self, name) < minimum:
                raise ValueError(
                    f"task {self.name!r}: {name} must be >= {minimum}, got {getattr(self, name)}"
                )
        if self.dev_modulus and not self.dev_remainder < self.dev_modulus:
            raise ValueError(f"task {self.name!r}: dev_remainder must be < dev_modulus ({self.dev_modulus})")
        if self.window_words is not None and self.window_words < 1:
            raise ValueError(
                f"task {self.name!r}: window_words must be >= 1 or None, got {self.window_words}"
            )
        if self.max_records is not None and self.max_records < 1:
            raise ValueError(f"task {self.name!r}: max_records must be >= 1 or None, got {self.max_records}")
        # JSON gives lists; keep tuples so the config is hashable and immutable.
        for name in ("splits", "datasets", "dev_splits", "reference_kinds"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, (value,))
            elif value is not None:
                object.__setattr__(self, name, tuple(value))

    @property
    def kind(self) -> Literal["summary", "casing"]:
        return "casing" if self.pairing == "casing" else "summary"

    @classmethod
    def from_spec(cls, spec: str | dict[str, Any] | TaskConfig) -> TaskConfig:
        """A task from `name`, `name:weight`, a JSON object string, or a dict (optionally with
        `preset` naming the task it starts from)."""
        if isinstance(spec, TaskConfig):
            return spec
        if isinstance(spec, str):
            text = spec.strip()
            if text.startswith("{"):
                return cls.from_spec(json.loads(text))
            name, _, weight = text.partition(":")
            task = _preset(name)
            return dataclasses.replace(task, weight=float(weight)) if weight else task
        if isinstance(spec, dict):
            spec = dict(spec)
            preset = spec.pop("preset", None)
            known = {f.name for f in dataclasses.fields(cls)}
            unknown = sorted(set(spec) - known)
            if unknown:
                raise ValueError(f"unknown task setting(s) {unknown}; valid: {sorted(known)}")
            if preset is not None:
                return dataclasses.replace(_preset(preset), **spec)
            return cls(**spec)
        raise TypeError(f"a task is a name, 'name:weight', or a dict; got {type(spec).__name__}")


PRESETS: dict[str, TaskConfig] = {
    task.name: task
    for task in [
        # CNN/DM articles with GPT-4 highlights (SumLLM); dev: the 100 `val` articles.
        TaskConfig(
            name="highlights",
            pairing="references",
            path="summarization/sumllm_cnndm.jsonl",
            style="highlights",
            splits=("train",),
            dev_splits=("val",),
            reference_kinds=("gpt4",),
        ),
        # FRANK valid-split CNN/DM articles with their original highlights (cased PTB).
        TaskConfig(
            name="highlights_frank",
            pairing="references",
            path="summarization/frank.jsonl",
            style="highlights",
            splits=("valid",),
            datasets=("cnndm",),
            dev_size=8,
            reference_kinds=("cnndm-highlights",),
            target_format="ptb",
        ),
        # FRANK valid-split XSum articles with their gold one-sentence summaries.
        TaskConfig(
            name="one_sentence",
            pairing="references",
            path="summarization/frank.jsonl",
            style="one_sentence_abstractive",
            splits=("valid",),
            datasets=("xsum",),
            dev_size=12,
            reference_kinds=("xsum-gold",),
            target_format="xsum_gold",
        ),
        # XSum's own construction on BBC articles: the first sentence from the rest.
        TaskConfig(
            name="one_sentence_bbc",
            pairing="lead",
            path="summarization/bbc_summary.jsonl",
            style="one_sentence_abstractive",
            splits=("train",),
            dev_splits=("valid",),
            lead_sentences=1,
            skip_title=True,
        ),
        # BBC articles: the title line from the body.
        TaskConfig(
            name="headline",
            pairing="title",
            path="summarization/bbc_summary.jsonl",
            style="headline",
            splits=("train",),
            dev_splits=("valid",),
        ),
        # RSS items: the publisher's headline from its description (the largest headline source;
        # dev: ids in bucket 1 of 50, as `experiments.headlines` scores them).
        TaskConfig(
            name="headline_rss",
            pairing="references",
            path="headlines/rss_news.jsonl",
            style="headline",
            text_field="description",
            references_field="headline",
            dev_modulus=50,
            dev_remainder=1,
            min_text_words=15,
            faithful_only=True,
        ),
        # XSum-style article / one-sentence pairs (no split of their own; dev: ids in bucket 0 of 10).
        TaskConfig(
            name="one_sentence_xsum",
            pairing="references",
            path="summarization/xsum_extra.jsonl",
            style="one_sentence_abstractive",
            dev_modulus=10,
            dev_remainder=0,
            reference_kinds=("xsum-gold",),
            faithful_only=True,
        ),
        # Casing pairs made on the fly from cased news text; dev: held-out texts.
        TaskConfig(
            name="casing",
            pairing="casing",
            path="casing/news_text.jsonl",
            text_field="text",
            dev_size=16,
        ),
        # Lead bias: a CNN/DM article's first three sentences from the rest.
        TaskConfig(
            name="lead",
            pairing="lead",
            path="summarization/sumllm_cnndm.jsonl",
            style="highlights",
            splits=("train",),
            lead_sentences=3,
        ),
    ]
}


def _preset(name: str) -> TaskConfig:
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown task preset {name!r}; choose one of {sorted(PRESETS)}") from None


@dataclass
class FinetuneModelArguments:
    """Which model to start from and which weights to train (LoRA adapters or all of them)."""

    model_name_or_path: str | None = field(
        default=None,
        metadata={"help": "Summarizer folder or HF checkpoint; default: the embedded SmolLM2-135M"},
    )
    finetune: Literal["lora", "full"] = field(
        default="lora", metadata={"help": "LoRA adapters or all weights"}
    )
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.05
    lora_target_modules: str = field(
        default="all-linear",
        metadata={"help": "comma-separated module names, or all-linear (attention + MLP)"},
    )
    merge: bool = field(
        default=True,
        metadata={"help": "LoRA: also write merged full weights so output_dir loads as a Summarizer"},
    )
    gradient_checkpointing: bool = False
    init_adapter: str | None = field(
        default=None,
        metadata={
            "help": "LoRA: start from this adapter's weights (a folder with adapter_model.safetensors, e.g. "
            "the shipped default) instead of fresh ones; its rank and alpha must match"
        },
    )

    def __post_init__(self) -> None:
        if self.init_adapter is not None and self.finetune != "lora":
            raise ValueError("init_adapter continues a LoRA adapter; it needs finetune='lora'")
        if self.finetune not in ("lora", "full"):
            raise ValueError(f"finetune must be 'lora' or 'full', got {self.finetune!r}")
        if self.lora_r < 1 or self.lora_alpha < 1:
            raise ValueError(f"lora_r and lora_alpha must be >= 1, got {self.lora_r} and {self.lora_alpha}")
        if not 0 <= self.lora_dropout < 1:
            raise ValueError(f"lora_dropout must be in [0, 1), got {self.lora_dropout}")

    @property
    def target_modules(self) -> str | list[str]:
        if self.lora_target_modules == "all-linear":
            return "all-linear"
        return [m.strip() for m in self.lora_target_modules.split(",") if m.strip()]


@dataclass
class DataArguments:
    """The training mix and how examples are cut to size."""

    data_dir: str | None = field(
        default=None,
        metadata={
            "help": "data root; default summarizer.paths.data_root() ($SUMMARIZER_DATA, else shared/data)"
        },
    )
    tasks: list[str] = field(
        default_factory=lambda: ["highlights:0.4", "one_sentence_bbc:0.2", "headline:0.1", "casing:0.3"],
        metadata={"help": "task presets as name or name:weight (JSON configs may give dicts)"},
    )
    num_train_examples: int = field(
        default=1500, metadata={"help": "examples in the mixed training set, split over tasks by weight"}
    )
    max_source_tokens: int = field(
        default=512,
        metadata={"help": "prompt tokens, article included (longer articles are cut at a sentence)"},
    )
    max_target_tokens: int = field(default=160, metadata={"help": "examples with longer targets are dropped"})
    dev_examples_per_task: int = field(
        default=16, metadata={"help": "dev records scored per task (0: no dev)"}
    )
    heldout_ngram_overlap: float = field(
        default=0.5,
        metadata={
            "help": "also drop records sharing this share of word 8-grams with a held-out article (0: off)"
        },
    )

    def __post_init__(self) -> None:
        self.data_dir = str(Path(self.data_dir) if self.data_dir else data_root())
        self.tasks = [TaskConfig.from_spec(spec) for spec in self.tasks]  # type: ignore[misc]
        if not self.tasks:
            raise ValueError("give at least one task")
        names = [t.name for t in self.task_configs]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(
                f"task names must be unique; repeated: {duplicates} (give each dict its own name)"
            )
        if self.num_train_examples < 1:
            raise ValueError(f"num_train_examples must be >= 1, got {self.num_train_examples}")
        if self.max_source_tokens < 16 or self.max_target_tokens < 1:
            raise ValueError(
                f"max_source_tokens must be >= 16 and max_target_tokens >= 1, got "
                f"{self.max_source_tokens} and {self.max_target_tokens}"
            )
        if self.dev_examples_per_task < 0:
            raise ValueError(f"dev_examples_per_task must be >= 0, got {self.dev_examples_per_task}")
        if not 0 <= self.heldout_ngram_overlap <= 1:
            raise ValueError(f"heldout_ngram_overlap must be in [0, 1], got {self.heldout_ngram_overlap}")

    @property
    def task_configs(self) -> list[TaskConfig]:
        return list(self.tasks)  # type: ignore[arg-type]


@dataclass
class TrainArguments:
    """Optimization, batching, checkpoints and evaluation."""

    output_dir: str = "out/finetune"
    seed: int = 42
    per_device_batch_size: int = 4
    gradient_accumulation_steps: int = 4
    learning_rate: float = 2e-4
    weight_decay: float = 0.0
    lr_scheduler: Literal["linear", "cosine", "constant"] = "cosine"
    warmup_ratio: float = 0.05
    warmup_steps: int = field(default=0, metadata={"help": "> 0 overrides warmup_ratio"})
    num_train_epochs: float = 1.0
    max_steps: int = field(default=-1, metadata={"help": "> 0 overrides num_train_epochs"})
    max_grad_norm: float = 1.0
    bf16: bool = field(default=False, metadata={"help": "bf16 autocast (CUDA, or CPUs with AMX)"})
    cpu: bool = field(default=False, metadata={"help": "train on CPU even when a GPU is present"})
    group_by_length: bool = field(
        default=True,
        metadata={"help": "sort each optimizer step's examples by length before cutting micro-batches"},
    )
    logging_steps: int = 10
    save_steps: int = field(default=100, metadata={"help": "checkpoint every N optimizer steps (0: never)"})
    save_total_limit: int = field(default=2, metadata={"help": "checkpoints kept (oldest deleted first)"})
    eval_steps: int = field(
        default=0, metadata={"help": "score the dev sets every N steps (0: only at the end)"}
    )
    eval_batch_size: int = 8
    resume: bool = field(
        default=False, metadata={"help": "continue from the latest checkpoint in output_dir"}
    )
    progress: bool = True

    def __post_init__(self) -> None:
        positive = (
            "per_device_batch_size",
            "gradient_accumulation_steps",
            "logging_steps",
            "eval_batch_size",
        )
        for name in positive:
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        for name in ("save_steps", "eval_steps", "warmup_steps", "save_total_limit"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        if not self.learning_rate > 0:
            raise ValueError(f"learning_rate must be > 0, got {self.learning_rate}")
        if not 0 <= self.warmup_ratio < 1:
            raise ValueError(f"warmup_ratio must be in [0, 1), got {self.warmup_ratio}")
        if self.max_steps <= 0 and not self.num_train_epochs > 0:
            raise ValueError("set max_steps > 0 or num_train_epochs > 0")
        if self.lr_scheduler not in ("linear", "cosine", "constant"):
            raise ValueError(f"lr_scheduler must be linear, cosine or constant, got {self.lr_scheduler!r}")


ARGUMENT_CLASSES = (FinetuneModelArguments, DataArguments, TrainArguments)


def parse_args(argv: list[str] | None = None) -> tuple[FinetuneModelArguments, DataArguments, TrainArguments]:
    """Settings from `--config FILE.json` (optional) overridden by any other flags."""
    parser = HfArgumentParser(ARGUMENT_CLASSES)
    parser.add_argument("--config", default=None, help="JSON file with any of the settings below")
    argv = list(argv) if argv is not None else None
    namespace, _ = parser.parse_known_args(argv)
    if namespace.config:
        values = json.loads(Path(namespace.config).read_text(encoding="utf-8"))
        if not isinstance(values, dict):
            raise ValueError(f"{namespace.config}: expected a JSON object of settings")
        known = {f.name for cls in ARGUMENT_CLASSES for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"{namespace.config}: unknown setting(s) {unknown}; valid: {sorted(known)}")
        # Defaults given as non-strings skip argparse's type conversion, so dicts in `tasks` pass.
        parser.set_defaults(**values)
    *args, remaining = parser.parse_args_into_dataclasses(argv, return_remaining_strings=True)
    remaining = [r for r in remaining if r]
    if remaining:
        raise ValueError(f"unknown arguments: {remaining}")
    model_args, data_args, train_args = args[:3]  # a fourth holds --config itself
    return model_args, data_args, train_args


def resolved_config(
    model_args: FinetuneModelArguments, data_args: DataArguments, train_args: TrainArguments
) -> dict:
    """One flat dict of every setting (tasks in full), readable again by `--config`."""
    values: dict[str, Any] = {}
    for args in (model_args, data_args, train_args):
        values.update(dataclasses.asdict(args))
    values["tasks"] = [dataclasses.asdict(t) for t in data_args.task_configs]
    return json.loads(json.dumps(values))  # JSON types only (tuples become lists), as when read back
