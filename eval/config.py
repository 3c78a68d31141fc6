"""Typed argument dataclasses shared by the `python -m eval` subcommands.

Each subcommand parses its dataclasses with `HfArgumentParser`, from flags or from one JSON
file (`python -m eval summarize run.json`), and saves the resolved config beside its outputs.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eval.sources import Source
from summarizer.config import BACKENDS

__all__ = [
    "BootstrapArguments",
    "SourceArguments",
    "ModelArguments",
    "OutputArguments",
    "config_dict",
    "parse_arguments",
    "SystemSpec",
    "parse_system_specs",
]


@dataclass
class SourceArguments:
    """Where the scored records come from: the fields `eval summarize` and `eval normalize`
    share (each subclass adds its own columns and systems)."""

    data: str | None = field(
        default=None,
        metadata={
            "help": "A .jsonl/.json/.csv/.tsv/.parquet file or a save_to_disk folder (path, or relative "
            "to the data root)."
        },
    )
    dataset_name: str | None = field(
        default=None, metadata={"help": "Instead of --data: a dataset for datasets.load_dataset."}
    )
    dataset_config: str | None = field(default=None, metadata={"help": "Its configuration (e.g. 3.0.0)."})
    split: str | None = field(
        default=None,
        metadata={"help": "Split of a dataset or folder; for a file, keep the records with this `split`."},
    )
    id_column: str | None = field(
        default=None, metadata={"help": "Id column (default: 'id' if present, else the row number)."}
    )
    limit: int | None = field(
        default=None, metadata={"help": "Score only the first N records after filters."}
    )
    allow_missing: bool = field(
        default=False, metadata={"help": "Score only the records every system of ours covers."}
    )

    def __post_init__(self) -> None:
        if self.limit is not None and self.limit < 1:
            raise ValueError(f"--limit must be >= 1, got {self.limit}")
        if (self.data is None) == (self.dataset_name is None):
            raise ValueError("give --data (a file or folder) or --dataset_name, exactly one of them")

    def source(self) -> Source:
        return Source(self.data, self.dataset_name, self.dataset_config, self.split)


@dataclass
class ModelArguments:
    model: str | None = field(
        default=None,
        metadata={"help": "Run our model: a saved model directory, or 'default' for the built-in one."},
    )
    model_name: str = field(default="summarizer", metadata={"help": "System name for --model in tables."})
    style: str = field(
        default="highlights", metadata={"help": "Summary style passed to Summarizer.summarize."}
    )
    batch_size: int = field(default=8, metadata={"help": "Model batch size."})
    backend: str = field(default="auto", metadata={"help": f"How the weights run: one of {BACKENDS}."})

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(f"--backend must be one of {BACKENDS}, got {self.backend!r}")
        if self.batch_size < 1:
            raise ValueError(f"--batch_size must be >= 1, got {self.batch_size}")
        if self.model is not None and not self.model_name:
            raise ValueError("--model_name must not be empty")


@dataclass
class BootstrapArguments:
    resamples: int = field(default=1000, metadata={"help": "Bootstrap and permutation resamples."})
    confidence: float = field(default=0.95, metadata={"help": "Interval coverage."})
    seed: int = field(default=0, metadata={"help": "Seed of every resampling (same seed, same numbers)."})

    def __post_init__(self) -> None:
        if self.resamples < 1:
            raise ValueError(f"--resamples must be >= 1, got {self.resamples}")
        if not 0.0 < self.confidence < 1.0:
            raise ValueError(f"--confidence must be in (0, 1), got {self.confidence}")


@dataclass
class OutputArguments:
    out: str = field(metadata={"help": "Output directory (metrics.json, report.md, plots, predictions)."})
    plots: bool = field(default=True, metadata={"help": "Draw PNG plots (matplotlib, Agg backend)."})

    def __post_init__(self) -> None:
        if not self.out:
            raise ValueError("--out must name a directory")


@dataclass(frozen=True)
class SystemSpec:
    """One `--system NAME=PATH[:COLUMN]`: a prediction file, and its column for a table file."""

    name: str
    path: Path
    column: str | None = None


def parse_system_specs(specs: Sequence[str]) -> dict[str, SystemSpec]:
    """`["name=preds.jsonl", "b=test.hypo", "c=table.csv:summary", ...]` -> `{name: SystemSpec}`,
    checking that names are unique and files exist."""
    systems: dict[str, SystemSpec] = {}
    for spec in specs:
        name, sep, path = spec.partition("=")
        if not sep or not name or not path:
            raise ValueError(f"--system expects NAME=PREDICTIONS (a file, or TABLE.csv:COLUMN), got {spec!r}")
        if name in systems:
            raise ValueError(f"system name {name!r} given twice")
        column = None
        if not Path(path).is_file() and ":" in path and Path(path.rpartition(":")[0]).is_file():
            path, _, column = path.rpartition(":")
        if not Path(path).is_file():
            raise ValueError(f"prediction file {path!r} of system {name!r} does not exist")
        systems[name] = SystemSpec(name, Path(path), column or None)
    return systems


def parse_arguments(types: tuple[type, ...], argv: Sequence[str] | None, prog: str) -> tuple[Any, ...]:
    from transformers import HfArgumentParser

    parser = HfArgumentParser(types, prog=prog)
    argv = list(argv) if argv is not None else None
    if argv is not None and len(argv) == 1 and argv[0].endswith(".json"):
        return parser.parse_json_file(argv[0])
    return parser.parse_args_into_dataclasses(args=argv)


def config_dict(*configs: Any) -> dict:
    merged: dict = {}
    for config in configs:
        merged.update(dataclasses.asdict(config))
    return json.loads(json.dumps(merged, default=str))
