"""Resumable batch jobs: records in, one JSON line per record out, bad records to an errors file.

Guarantees, whatever the model does:
- the output is appended and flushed (fsync) after every batch, so a crash loses at most the
  batch in flight;
- rerunning with the same output skips ids already written (a torn last line from a crash is
  cut off first);
- a bad record, or one the model fails on, goes to `<output stem>.errors.jsonl` with its reason
  and the job carries on.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from .records import BadRecord, Record

__all__ = ["JobReport", "ResumableJsonlWriter", "errors_path_for", "run_job"]

logger = logging.getLogger(__name__)

# Records are length-sorted within a window of this many batches: near-equal lengths share a
# batch (less padding) while output still streams out batch by batch.
SORT_WINDOW_BATCHES = 8


def errors_path_for(output: str | Path) -> Path:
    output = Path(output)
    return output.with_name(f"{output.stem}.errors.jsonl")


class ResumableJsonlWriter:
    """Append-only JSON-lines file that knows which ids it already holds."""

    def __init__(self, path: str | Path, *, id_key: str = "id") -> None:
        self.path = Path(path)
        self.id_key = id_key
        self.done: set[str] = set()
        if self.path.exists():
            self._recover()
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()

    def _recover(self) -> None:
        data = self.path.read_bytes()
        end = data.rfind(b"\n") + 1
        if end < len(data):
            # A crash mid-write leaves a torn last line: drop it, its record is redone.
            logger.warning("%s: dropping an incomplete last line (%d bytes)", self.path, len(data) - end)
            with open(self.path, "r+b") as f:
                f.truncate(end)
        for lineno, line in enumerate(data[:end].splitlines(), start=1):
            if not line.strip():
                continue
            try:
                self.done.add(str(json.loads(line)[self.id_key]))
            except (json.JSONDecodeError, KeyError, TypeError) as e:
                raise ValueError(
                    f"{self.path}:{lineno} is not a line this tool wrote ({e}); "
                    "pass another --output or remove the file"
                ) from None

    def write(self, rows: Sequence[dict[str, Any]]) -> None:
        for row in rows:
            self._file.write(json.dumps(row, ensure_ascii=False) + "\n")
            self.done.add(str(row[self.id_key]))
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> ResumableJsonlWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class JobReport:
    written: int = 0
    skipped_done: int = 0
    failed: int = 0

    @property
    def ok(self) -> bool:
        return self.failed == 0


# A processor maps a batch of texts to one output row (without the id) per text, in order.
Processor = Callable[[list[str]], list[dict[str, Any]]]


def run_job(
    records: Iterable[Record | BadRecord],
    process: Processor,
    output: str | Path,
    *,
    batch_size: int = 8,
    total: int | None = None,
    progress: bool = True,
) -> JobReport:
    """Run `process` over `records`, writing results to `output` and failures beside it."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    report = JobReport()
    seen: dict[str, str] = {}
    window: list[Record] = []
    errors_path = errors_path_for(output)
    # Errors are recomputed on every run (all records are read again), so start the file afresh.
    with ResumableJsonlWriter(output) as out, open(errors_path, "w", encoding="utf-8") as errors, tqdm(
        total=total, desc=Path(output).name, unit="rec", disable=not progress
    ) as bar:

        def fail(rid: str | None, origin: str, reason: str) -> None:
            errors.write(json.dumps({"id": rid, "origin": origin, "error": reason}, ensure_ascii=False) + "\n")
            errors.flush()
            report.failed += 1
            logger.warning("%s: %s", origin, reason)

        def flush_window() -> None:
            window.sort(key=lambda r: len(r.text))
            for start in range(0, len(window), batch_size):
                batch = window[start : start + batch_size]
                for record, row in _process_batch(batch, process, fail):
                    out.write([{"id": record.id, **row}])
                    report.written += 1
                bar.update(len(batch))
            window.clear()

        for item in records:
            if isinstance(item, BadRecord):
                fail(item.id, item.origin, item.reason)
                bar.update(1)
                continue
            if item.id in out.done:
                report.skipped_done += 1
                bar.update(1)
                continue
            if item.id in seen:
                fail(item.id, item.origin, f"duplicate id {item.id!r} (first at {seen[item.id]})")
                bar.update(1)
                continue
            seen[item.id] = item.origin
            window.append(item)
            if len(window) >= batch_size * SORT_WINDOW_BATCHES:
                flush_window()
        flush_window()
    if report.skipped_done:
        logger.info("skipped %d records already in %s", report.skipped_done, output)
    return report


def _process_batch(
    batch: list[Record], process: Processor, fail: Callable[[str | None, str, str], None]
) -> list[tuple[Record, dict[str, Any]]]:
    """Process a batch; if it fails as a whole, retry one by one so only the culprit is lost."""
    try:
        rows = process([r.text for r in batch])
        return list(zip(batch, rows, strict=True))
    except (ValueError, TypeError, RuntimeError) as e:
        if len(batch) == 1:
            fail(batch[0].id, batch[0].origin, f"{type(e).__name__}: {e}")
            return []
        logger.warning("batch of %d failed (%s); retrying one by one", len(batch), e)
    results: list[tuple[Record, dict[str, Any]]] = []
    for record in batch:
        results.extend(_process_batch([record], process, fail))
    return results
