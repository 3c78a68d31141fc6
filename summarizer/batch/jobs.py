"""Resumable batch jobs: records in, one JSON line per record out, bad records to an errors file.

Guarantees, whatever the model does:
- the output is appended and flushed (fsync) after every batch, so a crash loses at most the
  batch in flight;
- rerunning with the same output skips ids already written (a torn last line from a crash is
  cut off first);
- a bad record, or one the model fails on, goes to `<output stem>.errors.jsonl` with its reason
  and the job carries on;
- with a token counter and `max_batch_tokens`, a batch never holds more than that many tokens
  (rows times its longest text), so memory stays bounded whatever the mix of lengths.

`SummarizeTask` and `NormalizeTask` describe the work (picklable, so a Ray worker can load the
same thing); `task.load()` returns the `Worker` that processes batches.
"""

from __future__ import annotations

import json
import logging
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from tqdm.auto import tqdm

from summarizer.batch.records import BadRecord, Record, reason_kind
from summarizer.config import DEFAULT_NORMALIZE_METHOD, MODEL_FREE_NORMALIZE_METHODS, check_normalize_method
from summarizer.text.layout import INPUT_FORMATS

__all__ = [
    "DEFAULT_MAX_BATCH_TOKENS",
    "IdLedger",
    "JobReport",
    "NormalizeTask",
    "ResumableJsonlWriter",
    "SummarizeTask",
    "Worker",
    "errors_path_for",
    "pack_batches",
    "process_batch",
    "record_failure",
    "run_batches",
    "run_job",
]

logger = logging.getLogger(__name__)

# Records are length-sorted within a window of this many batches: near-equal lengths share a
# batch (less padding) while output still streams out batch by batch.
SORT_WINDOW_BATCHES = 8
# Default per-batch token budget (rows times the longest text in tokens): see docs/results_scale.md.
DEFAULT_MAX_BATCH_TOKENS = 8192
# Failures logged one by one before the log goes quiet (the errors file has them all).
MAX_LOGGED_FAILURES = 20


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
        if not rows:
            return
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
    # Failures by kind of reason ("invalid JSON", "duplicate id", ...).
    reasons: Counter = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        return self.failed == 0

    def failure_summary(self) -> str:
        """E.g. "3 invalid JSON, 1 duplicate id" (most frequent first)."""
        return ", ".join(f"{n} {kind}" for kind, n in self.reasons.most_common())


# A processor maps a batch of texts to one output row (without the id) per text, in order.
Processor = Callable[[list[str]], list[dict[str, Any]]]


@dataclass(frozen=True)
class Worker:
    """What a task loads once per process: the batch function and, optionally, a token counter."""

    process: Processor
    # Tokens a text costs in a batch (None: batches are sized by rows only).
    cost: Callable[[str], int] | None = None


@dataclass(frozen=True)
class SummarizeTask:
    """Summarize with `Summarizer.summarize`; rows `{"summary", "style", "chunked", ...}`."""

    model: str | None = None
    style: str = "highlights"
    faithful: bool = True
    # "auto" | "wire" | "plain": see `Summarizer.summarize`.
    input_format: str = "auto"
    # How wire copy gets its case back (`Summarizer.summarize`); None: the model's config.
    wire_casing: str | None = None

    def __post_init__(self) -> None:
        if self.input_format not in INPUT_FORMATS:
            raise ValueError(f"unknown input_format {self.input_format!r}; choose one of {INPUT_FORMATS}")
        if self.wire_casing is not None:
            check_normalize_method(self.wire_casing, "wire_casing")

    # Generation settings for `summarize` (max_words, max_new_tokens, num_beams, ...).
    overrides: tuple[tuple[str, Any], ...] = ()
    device: str | None = None
    dtype: str | None = None
    backend: str = "auto"

    def load(self) -> Worker:
        from summarizer.model import Summarizer

        summarizer = Summarizer.from_pretrained(
            self.model, device=self.device, dtype=self.dtype, backend=self.backend
        )
        # Fail fast on an unknown style or a setting it cannot honour, before reading input.
        style = summarizer.config.style(self.style)
        overrides = dict(self.overrides)
        style.settings(**overrides)

        def process(texts: list[str]) -> list[dict[str, Any]]:
            # The library defuses special tokens and drops sentences that follow injections.
            summaries = summarizer.summarize(
                texts, style=self.style, batch_size=len(texts), faithful=self.faithful,
                input_format=self.input_format, wire_casing=self.wire_casing, **overrides
            )
            return [
                {
                    "summary": s.text,
                    "style": s.style,
                    "chunked": s.chunked,
                    "input_format": s.input_format,
                    "title": s.title,
                    "dropped_sentences": s.dropped_sentences,
                    "extractive_fallback": s.extractive_fallback,
                }
                for s in summaries
            ]

        if style.extractive:
            return Worker(process)
        # The prompt around the article costs as much as the article; a text longer than the
        # context is chunked, so it never costs more than a full context.
        overhead = summarizer.count_tokens(summarizer.build_prompt("", style))
        return Worker(process, lambda text: min(summarizer.count_tokens(text) + overhead, summarizer.context_length))


@dataclass(frozen=True)
class NormalizeTask:
    """Restore case (`summarizer.casing.normalize.normalize`); rows `{"output", "method"}`."""

    method: str = DEFAULT_NORMALIZE_METHOD
    detokenize: bool = True
    headline: str | None = None
    model: str | None = None
    device: str | None = None
    dtype: str | None = None
    backend: str = "auto"

    def load(self) -> Worker:
        from summarizer.casing.headline import headline_case
        from summarizer.casing.normalize import normalize

        check_normalize_method(self.method)
        summarizer = None
        if self.method not in MODEL_FREE_NORMALIZE_METHODS:  # "model" and "generate" run the neural model
            from summarizer.model import Summarizer

            summarizer = Summarizer.from_pretrained(
                self.model, device=self.device, dtype=self.dtype, backend=self.backend
            )

        def process(texts: list[str]) -> list[dict[str, Any]]:
            results = normalize(
                texts, method=self.method, model=summarizer, detokenize=self.detokenize, batch_size=max(1, len(texts))
            )
            outputs = [r.text for r in results]
            if self.headline:
                outputs = [headline_case(o, style=self.headline) for o in outputs]
            return [{"output": o, "method": r.method} for o, r in zip(outputs, results, strict=True)]

        if summarizer is None:
            return Worker(process)
        return Worker(process, lambda text: min(summarizer.count_tokens(text), summarizer.context_length))


def pack_batches(
    costs: Sequence[int], *, max_batch_size: int, max_batch_tokens: int | None = None
) -> list[list[int]]:
    """Indices of `costs` grouped into batches, cheapest first.

    A batch holds at most `max_batch_size` items and, with `max_batch_tokens`, costs at most
    that much counted as rows times its dearest item (what padding makes it cost); an item dearer
    than the budget on its own gets a batch to itself. Every index appears exactly once.
    """
    if max_batch_size < 1:
        raise ValueError(f"max_batch_size must be >= 1, got {max_batch_size}")
    if max_batch_tokens is not None and max_batch_tokens < 1:
        raise ValueError(f"max_batch_tokens must be >= 1 or None, got {max_batch_tokens}")
    batches: list[list[int]] = []
    batch: list[int] = []
    for i in sorted(range(len(costs)), key=lambda i: costs[i]):
        over_budget = max_batch_tokens is not None and (len(batch) + 1) * costs[i] > max_batch_tokens
        if batch and (len(batch) >= max_batch_size or over_budget):
            batches.append(batch)
            batch = []
        batch.append(i)
    if batch:
        batches.append(batch)
    return batches


class IdLedger:
    """Which record ids are new, written before, or repeated: one rule for local and Ray jobs.

    A repeat is checked first: an id written earlier in this run is also in `done`, and it is a
    duplicate of this run's record, not work already done."""

    def __init__(self, done: set[str]) -> None:
        self.done = done
        self.seen: dict[str, str] = {}

    def check(self, record: Record) -> str | None:
        """None for a new record (now registered), "done", or the reason it is a duplicate."""
        if record.id in self.seen:
            return f"duplicate id {record.id!r} (first at {self.seen[record.id]})"
        if record.id in self.done:
            return "done"
        self.seen[record.id] = record.origin
        return None


def run_batches(
    records: Sequence[Record],
    worker: Worker,
    fail: Callable[[str | None, str, str], None],
    *,
    max_batch_size: int,
    max_batch_tokens: int | None,
) -> Iterator[list[tuple[Record, dict[str, Any]]]]:
    """Pack `records` into batches (by the worker's token cost when it has one, see
    `pack_batches`) and process each; yields each batch's (record, row) results."""
    cost = worker.cost
    costs = [cost(r.text) if cost is not None else len(r.text) for r in records]
    budget = max_batch_tokens if cost is not None else None
    for indices in pack_batches(costs, max_batch_size=max_batch_size, max_batch_tokens=budget):
        yield process_batch([records[i] for i in indices], worker.process, fail)


def run_job(
    records: Iterable[Record | BadRecord],
    process: Processor,
    output: str | Path,
    *,
    batch_size: int = 8,
    total: int | None = None,
    progress: bool = True,
    cost: Callable[[str], int] | None = None,
    max_batch_tokens: int | None = None,
) -> JobReport:
    """Run `process` over `records`, writing results to `output` and failures beside it.

    batch_size: most records a batch holds.
    cost, max_batch_tokens: a token counter and a per-batch budget (see `pack_batches`);
        without them batches are sized by `batch_size` alone.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    if max_batch_tokens is not None and max_batch_tokens < 1:
        raise ValueError(f"max_batch_tokens must be >= 1 or None, got {max_batch_tokens}")
    report = JobReport()
    window: list[Record] = []
    errors_path = errors_path_for(output)
    worker = Worker(process, cost)
    # Errors are recomputed on every run (all records are read again), so start the file afresh.
    # backslashreplace: an origin holding undecodable file-name bytes must not end the job.
    with ResumableJsonlWriter(output) as out, open(
        errors_path, "w", encoding="utf-8", errors="backslashreplace"
    ) as errors, tqdm(total=total, desc=Path(output).name, unit="rec", disable=not progress) as bar:
        ledger = IdLedger(out.done)

        def fail(rid: str | None, origin: str, reason: str) -> None:
            record_failure(errors, report, rid, origin, reason)

        def flush_window() -> None:
            for results in run_batches(window, worker, fail, max_batch_size=batch_size,
                                       max_batch_tokens=max_batch_tokens):
                rows = [{"id": record.id, **row} for record, row in results]
                out.write(rows)  # one fsync a batch
                report.written += len(rows)
                bar.update(len(results))
            window.clear()

        for item in records:
            verdict = item.reason if isinstance(item, BadRecord) else ledger.check(item)
            if verdict == "done":
                report.skipped_done += 1
            elif verdict is not None:
                fail(item.id, item.origin, verdict)
            else:
                window.append(item)
                if len(window) >= batch_size * SORT_WINDOW_BATCHES:
                    flush_window()
                continue
            bar.update(1)
        flush_window()
    if report.skipped_done:
        logger.info("skipped %d records already in %s", report.skipped_done, output)
    return report


def record_failure(errors: TextIO, report: Any, rid: str | None, origin: str, reason: str) -> None:
    """Write one failed record to the errors file and count it in `report` (`failed`, `reasons`).

    The first failures are also logged one by one; then we say once that the rest are only on
    file, so a file of broken lines does not flood the terminal.
    """
    errors.write(json.dumps({"id": rid, "origin": origin, "error": reason}, ensure_ascii=False) + "\n")
    errors.flush()
    report.failed += 1
    report.reasons[reason_kind(reason)] += 1
    if report.failed <= MAX_LOGGED_FAILURES:
        logger.warning("%s: %s", origin, reason)
    elif report.failed == MAX_LOGGED_FAILURES + 1:
        logger.warning("more failed records are not logged; the errors file lists them all")


def process_batch(
    batch: list[Record], process: Processor, fail: Callable[[str | None, str, str], None]
) -> list[tuple[Record, dict[str, Any]]]:
    """Process a batch; if it fails as a whole, retry one by one so only the culprit is lost."""
    try:
        rows = process([r.text for r in batch])
        return list(zip(batch, rows, strict=True))
    except Exception as e:  # noqa: BLE001 - whatever one record does, the others go on
        if len(batch) == 1:
            fail(batch[0].id, batch[0].origin, f"{type(e).__name__}: {e}")
            return []
        logger.warning("batch of %d failed (%s); retrying one by one", len(batch), e)
    results: list[tuple[Record, dict[str, Any]]] = []
    for record in batch:
        results.extend(process_batch([record], process, fail))
    return results
