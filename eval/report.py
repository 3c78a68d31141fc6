"""Writing results: metrics.json, per-document jsonl, report.md tables and matplotlib plots.

Shared by the subcommands; nothing here computes a metric.
"""

from __future__ import annotations

import hashlib
import json
import math
import platform
import subprocess
from collections.abc import Iterable, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from eval.metrics.stats import Interval

__all__ = [
    "file_sha256",
    "format_interval",
    "format_number",
    "interval_dict",
    "markdown_table",
    "software_versions",
    "write_json",
    "write_jsonl",
]

_PACKAGES = (
    "numpy",
    "evaluate",
    "rouge-score",
    "nltk",
    "datasets",
    "matplotlib",
    "truecase",
    "transformers",
    "torch",
    "tqdm",
)


def software_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for package in _PACKAGES:
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = None
    try:
        repo = Path(__file__).resolve().parent.parent
        commit = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
        versions["git_commit"] = commit or None
    except (OSError, subprocess.SubprocessError):
        versions["git_commit"] = None
    return versions


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _clean(value):
    """JSON-safe: NaN and infinities become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def write_json(path: Path, payload: dict) -> None:
    path.write_text(json.dumps(_clean(payload), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_jsonl(path: Path, rows: Iterable[dict]) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(_clean(row), ensure_ascii=False) + "\n")


def interval_dict(interval: Interval, scale: float = 1.0) -> dict:
    return {
        "mean": interval.mean * scale,
        "low": interval.low * scale,
        "high": interval.high * scale,
        "n": interval.n,
    }


def format_number(value: float | None, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    return f"{value:.{digits}f}"


def format_interval(stats: dict | Interval, digits: int = 2) -> str:
    """`41.28 (39.95–42.61)` from an `Interval` or a dict with mean/low/high."""
    if isinstance(stats, Interval):
        stats = interval_dict(stats)
    if stats.get("mean") is None:
        return "n/a"
    return (
        f"{format_number(stats['mean'], digits)} "
        f"({format_number(stats['low'], digits)}–{format_number(stats['high'], digits)})"
    )


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines.extend("| " + " | ".join(str(cell) for cell in row) + " |" for row in rows)
    return "\n".join(lines)
