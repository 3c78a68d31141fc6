"""Batch jobs on a Ray cluster: the CLI's tasks, one model per worker actor, each id written once.

    from summarizer.batch.distributed import summarize_dataset, read_output
    report = summarize_dataset(["articles.jsonl"], "out/", style="highlights")   # local Ray
    report = summarize_dataset(ray.data.read_parquet(...), "out/", ray_address="auto")
    rows = list(read_output("out/"))

or `summarizer summarize articles.jsonl --output out/ --ray [ADDRESS]`. docs/results_scale.md
says how to point it at a multi-node cluster.

How it runs: records (read and cleaned on the driver for files, or a Ray Dataset read on the
cluster) go through `Dataset.map_batches` with an actor pool: each actor loads the model once and
packs the rows it is given into batches under a token budget. Results stream back to the driver,
the only writer, which groups them into parts.

The output folder:

- ``part-r<run>-<n>.jsonl`` (or ``.parquet`` with ``output_format="parquet"``): one row per
  record, as the CLI writes them. A part is written
  to a temporary file, fsynced and renamed into place, so it is either whole or absent; a rerun
  reads the ids in the parts and skips them. Hence **every id is in exactly one part**, whenever
  the driver or a worker dies: ``cat out/part-*.jsonl`` is the complete output.
- ``_manifest.json``: the parts, their row counts, and whether the last run finished.
- ``errors.jsonl``: the records the last run could not summarize, with the reason (bad input,
  duplicate id, a batch whose worker kept dying). Rerunning retries them.

Fault tolerance: a worker that dies is restarted by Ray and its batch retried (up to
`max_task_retries` times); the records of a batch that still fails are retried one per batch, so
only a record that itself kills every worker is given up (to the errors file), and the job goes on. A driver that dies loses only the part it was filling; rerun the same
command. Two runs on one folder at once are refused (a lock file).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import re
import time
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from summarizer.batch.jobs import (
    DEFAULT_MAX_BATCH_TOKENS,
    IdLedger,
    JobReport,
    SummarizeTask,
    record_failure,
    run_batches,
)
from summarizer.batch.records import BadRecord, Record, read_records, sanitize_record
from summarizer.config import GENERATION_SETTINGS
from summarizer.text.cleaning import DEFAULT_MAX_CHARS

__all__ = [
    "DistributedReport",
    "RunOptions",
    "read_output",
    "run_distributed",
    "summarize_dataset",
]

logger = logging.getLogger(__name__)

MANIFEST = "_manifest.json"
ERRORS = "errors.jsonl"
_LOCK = "_lock"
_TMP = "_tmp"
_PART = re.compile(r"^part-r(\d+)-(\d+)\.(jsonl|parquet)$")
OUTPUT_FORMATS = ("jsonl", "parquet")


@dataclass
class DistributedReport(JobReport):
    """`JobReport` plus where the output went and how the run was split."""

    output_dir: str = ""
    parts_written: int = 0
    workers: int = 0
    seconds: float = 0.0
    # Records whose batch failed even after Ray restarted its worker (also in errors.jsonl).
    lost_batches_records: int = 0


# ---------------------------------------------------------------------------------- output
class PartitionedOutput:
    """The output folder: committed parts (the truth), their manifest, and a lock."""

    def __init__(self, directory: str | Path, output_format: str = "jsonl") -> None:
        if output_format not in OUTPUT_FORMATS:
            raise ValueError(f"unknown output format {output_format!r}; choose one of {OUTPUT_FORMATS}")
        self.format = output_format
        self.dir = Path(directory)
        if self.dir.exists() and not self.dir.is_dir():
            raise ValueError(f"output {directory} is a file; a Ray job writes a folder of parts")
        self.dir.mkdir(parents=True, exist_ok=True)
        self._lock = open(self.dir / _LOCK, "w")  # noqa: SIM115 - closed in close()
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            raise RuntimeError(f"another job is writing to {self.dir}; wait for it or use another folder") from None
        tmp = self.dir / _TMP
        if tmp.exists():
            for stale in tmp.iterdir():  # parts a dead driver did not finish
                stale.unlink()
        tmp.mkdir(exist_ok=True)
        self.done: set[str] = set()
        self.parts: list[dict[str, Any]] = []
        last_run = 0
        for path in sorted(self.dir.iterdir()):
            match = _PART.match(path.name)
            if not match:
                continue
            last_run = max(last_run, int(match.group(1)))
            ids = self._read_ids(path)
            twice = self.done.intersection(ids)
            if twice:  # only possible if something other than this module wrote here
                raise ValueError(f"{path} repeats ids already in another part: {sorted(twice)[:5]}")
            self.done.update(ids)
            self.parts.append({"file": path.name, "rows": len(ids)})
        self.run = last_run + 1
        self._next = 0

    @staticmethod
    def _read_ids(path: Path) -> list[str]:
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq

            try:
                return [str(v) for v in pq.read_table(path, columns=["id"]).column("id").to_pylist()]
            except Exception as e:  # pyarrow raises several types for a foreign or torn file
                raise ValueError(f"{path} is not a part this tool wrote ({e})") from None
        ids = []
        with open(path, "rb") as f:
            for lineno, line in enumerate(f, start=1):
                try:
                    ids.append(str(json.loads(line)["id"]))
                except (json.JSONDecodeError, KeyError, TypeError) as e:
                    raise ValueError(f"{path}:{lineno} is not a line this tool wrote ({e})") from None
        return ids

    def commit(self, rows: list[tuple[str, str]]) -> None:
        """Write (id, JSON line) rows as one new part: temporary file, fsync, rename."""
        if not rows:
            return
        name = f"part-r{self.run:04d}-{self._next:05d}.{self.format}"
        self._next += 1
        tmp = self.dir / _TMP / name
        if self.format == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pylist([json.loads(line) for _, line in rows])
            with open(tmp, "wb") as f:
                pq.write_table(table, f)
                f.flush()
                os.fsync(f.fileno())
        else:
            with open(tmp, "w", encoding="utf-8") as f:
                f.writelines(line + "\n" for _, line in rows)
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, self.dir / name)
        _fsync_dir(self.dir)
        self.done.update(rid for rid, _ in rows)
        self.parts.append({"file": name, "rows": len(rows)})
        self.write_manifest(finished=False)

    def write_manifest(self, *, finished: bool, **extra: Any) -> None:
        manifest = {
            "format": 1,
            "finished": finished,
            "rows": sum(p["rows"] for p in self.parts),
            "parts": self.parts,
            **extra,
        }
        tmp = self.dir / _TMP / MANIFEST
        tmp.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, self.dir / MANIFEST)

    def close(self) -> None:
        self._lock.close()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_output(output_dir: str | Path) -> Iterator[dict[str, Any]]:
    """Every row of a Ray job's output folder (each id once), part by part."""
    directory = Path(output_dir)
    for path in sorted(directory.iterdir()):
        if not _PART.match(path.name):
            continue
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq

            yield from pq.read_table(path).to_pylist()
        else:
            with open(path, encoding="utf-8") as f:
                for line in f:
                    yield json.loads(line)


# ---------------------------------------------------------------------------------- workers
class _BatchWorker:
    """A Ray Data actor: loads the task's model once, then processes the row blocks it is sent."""

    def __init__(
        self,
        task: Any,
        *,
        id_field: str,
        text_field: str,
        clean: bool,
        max_chars: int | None,
        max_batch_size: int,
        max_batch_tokens: int | None,
        skip_ids: frozenset[str],
    ) -> None:
        self.worker = task.load()
        self.id_field, self.text_field = id_field, text_field
        self.clean, self.max_chars = clean, max_chars
        self.max_batch_size, self.max_batch_tokens = max_batch_size, max_batch_tokens
        self.skip_ids = skip_ids

    def __call__(self, table: Any) -> Any:
        import pyarrow as pa

        columns = table.column_names
        n = table.num_rows
        ids = table[self.id_field].to_pylist() if self.id_field in columns else [None] * n
        texts = table[self.text_field].to_pylist() if self.text_field in columns else [None] * n
        origins = table["origin"].to_pylist() if "origin" in columns else [f"<dataset {self.id_field}={i}>" for i in ids]
        out: dict[str, list] = {"id": [], "origin": [], "line": [], "error": []}

        def emit(rid: str | None, origin: str, line: str | None, error: str | None) -> None:
            out["id"].append(rid)
            out["origin"].append(origin)
            out["line"].append(line)
            out["error"].append(error)

        records: list[Record] = []
        for raw_id, text, origin in zip(ids, texts, origins, strict=True):
            rid = None if raw_id is None or raw_id == "" else str(raw_id)
            if rid is None:
                emit(None, origin, None, f"missing field {self.id_field!r}")
            elif rid in self.skip_ids:
                continue  # written by an earlier run; the driver counted it
            elif not isinstance(text, str):
                what = "missing" if text is None else f"{type(text).__name__}, expected a string"
                emit(rid, origin, None, f"field {self.text_field!r} is {what}")
            else:
                record: Record | BadRecord = Record(rid, text, origin)
                if self.clean:
                    record, warnings_ = sanitize_record(record, max_chars=self.max_chars)
                    for warning in warnings_:
                        logger.warning("%s: %s", origin, warning)
                if isinstance(record, BadRecord):
                    emit(record.id, record.origin, None, record.reason)
                else:
                    records.append(record)

        def fail(rid: str | None, origin: str, reason: str) -> None:
            emit(rid, origin, None, reason)

        for results in run_batches(records, self.worker, fail, max_batch_size=self.max_batch_size,
                                   max_batch_tokens=self.max_batch_tokens):
            for record, row in results:
                emit(record.id, record.origin, json.dumps({"id": record.id, **row}, ensure_ascii=False), None)
        schema = pa.schema(
            [("id", pa.string()), ("origin", pa.string()), ("line", pa.string()), ("error", pa.string())]
        )
        return pa.table(out, schema=schema)


# ---------------------------------------------------------------------------------- driver
def _connect(ray_address: str | None, num_cpus: int | None) -> bool:
    """Connect to (or start) Ray; True when this call started it (and so must shut it down)."""
    import ray

    if ray.is_initialized():
        return False
    # Never phone home from a batch job; a user who wants usage stats sets the variable.
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    address = ray_address or os.environ.get("RAY_ADDRESS") or None
    if address:
        ray.init(address=address, log_to_driver=True)
    else:
        ray.init(num_cpus=num_cpus, include_dashboard=False, log_to_driver=True)
    return True


@dataclass(frozen=True)
class RunOptions:
    """How `run_distributed` runs a task: the one list of its options (the CLI builds one from
    its flags; `run_distributed(..., **options)` takes the same names as keywords).

    ray_address: None to use RAY_ADDRESS or start a local cluster; "auto" for a cluster started
        with `ray start` on this machine; "ray://host:10001" for a remote one.
    num_workers: actors (each loads the model once); default one per `cpus_per_worker` CPUs (or
        per `gpus_per_worker` GPUs).
    max_batch_size, max_batch_tokens: most records, and tokens (rows times the longest), per
        model call (None: no token limit).
    max_chars: longest text accepted (None: no limit); text_field, id_field: the input's fields.
    shard_size, shard_seconds: a part is committed every `shard_size` rows or `shard_seconds`
        seconds, whichever comes first; a dying driver loses at most that much work.
    rows_per_call: rows sent to an actor at once (default 4 batches' worth).
    max_task_retries: times Ray retries a batch whose worker died before giving it up.
    progress: Ray Data's progress bars.
    output_format: "jsonl" or "parquet" parts (same rows, same exactly-once commit); a folder
        may hold both, `read_output` reads either.
    """

    ray_address: str | None = None
    num_workers: int | None = None
    cpus_per_worker: float = 1
    gpus_per_worker: float = 0
    max_batch_size: int = 8
    max_batch_tokens: int | None = DEFAULT_MAX_BATCH_TOKENS
    max_chars: int | None = DEFAULT_MAX_CHARS
    text_field: str = "article"
    id_field: str = "id"
    shard_size: int = 1000
    shard_seconds: float = 60.0
    rows_per_call: int | None = None
    max_task_retries: int = 3
    progress: bool = False
    output_format: str = "jsonl"

    def __post_init__(self) -> None:
        if self.max_batch_size < 1:
            raise ValueError(f"max_batch_size must be >= 1, got {self.max_batch_size}")
        if self.max_batch_tokens is not None and self.max_batch_tokens < 1:
            raise ValueError(f"max_batch_tokens must be >= 1 or None, got {self.max_batch_tokens}")
        if self.shard_size < 1:
            raise ValueError(f"shard_size must be >= 1, got {self.shard_size}")

    @property
    def per_call(self) -> int:
        """Rows sent to an actor at once."""
        return self.rows_per_call or self.max_batch_size * 4


def run_distributed(
    inputs: Sequence[str] | str | Any,
    task: Any,
    output_dir: str | Path,
    options: RunOptions | None = None,
    **overrides: Any,
) -> DistributedReport:
    """Run `task` (a `SummarizeTask`, `NormalizeTask` or anything with `.load() -> Worker`) on Ray.

    inputs: paths as for the CLI (.jsonl, .csv, .txt, folders), read and cleaned on the driver,
        or a `ray.data.Dataset` with `id_field` and `text_field` columns, read on the cluster
        and cleaned on the workers.
    options: a `RunOptions` (default: its defaults); `overrides` are `RunOptions` fields given as
        keywords (`max_batch_size=4`, `ray_address="auto"`, ...), applied on top of it.
    """
    import ray.data

    unknown = sorted(set(overrides) - {f.name for f in fields(RunOptions)})
    if unknown:
        raise TypeError(f"run_distributed got unknown options {unknown}; see RunOptions for the list")
    options = replace(options or RunOptions(), **overrides)
    if not isinstance(inputs, ray.data.Dataset) and isinstance(inputs, (str, Path)):
        inputs = [str(inputs)]
    out = PartitionedOutput(output_dir, options.output_format)
    return _Run(inputs, task, out, options).execute(options.ray_address, options.progress)


class _Run:
    """One `run_distributed` call: the driver's state (output, report, ids still to write)."""

    def __init__(self, inputs: Any, task: Any, out: PartitionedOutput, settings: RunOptions) -> None:
        import ray.data

        self.inputs, self.task, self.out, self.s = inputs, task, out, settings
        self.from_files = not isinstance(inputs, ray.data.Dataset)
        self.report = DistributedReport(output_dir=str(out.dir))
        self.pending: dict[str, str] = {}  # id -> origin, for every record sent to the workers
        self.errors: Any = None

    def fail(self, rid: str | None, origin: str, reason: str) -> None:
        record_failure(self.errors, self.report, rid, origin, reason)

    def execute(self, ray_address: str | None, progress: bool) -> DistributedReport:
        import ray

        start = time.perf_counter()
        started = False
        self.errors = open(self.out.dir / ERRORS, "w", encoding="utf-8", errors="backslashreplace")  # noqa: SIM115
        try:
            items = self.read_files() if self.from_files else []
            if not self.from_files or items:
                started = _connect(ray_address, None)
                with _data_context(progress):
                    self.process(items)
            self.out.write_manifest(finished=True, failed=self.report.failed, workers=self.report.workers)
        finally:
            self.errors.close()
            self.out.close()
            if started:
                ray.shutdown()
        self.report.parts_written = sum(1 for p in self.out.parts if p["file"].startswith(f"part-r{self.out.run:04d}-"))
        self.report.seconds = time.perf_counter() - start
        return self.report

    def read_files(self, only: set[str] | None = None) -> list[dict[str, str]]:
        """Read, clean and deduplicate the files here, in input order (first occurrence wins);
        with `only`, just the first occurrence of those ids again (for a retry)."""
        s = self.s
        items: list[dict[str, str]] = []
        ledger = IdLedger(self.out.done) if only is None else None
        for item in read_records(self.inputs, text_field=s.text_field, id_field=s.id_field, max_chars=s.max_chars):
            if only is not None:
                if isinstance(item, Record) and item.id in only:
                    only.discard(item.id)
                    items.append({"id": item.id, "text": item.text, "origin": item.origin})
                continue
            verdict = item.reason if isinstance(item, BadRecord) else ledger.check(item)
            if verdict == "done":
                self.report.skipped_done += 1
            elif verdict is not None:
                self.fail(item.id, item.origin, verdict)
            else:
                self.pending[item.id] = item.origin
                items.append({"id": item.id, "text": item.text, "origin": item.origin})
        return items

    def workers(self) -> int:
        import ray

        s = self.s
        resources = ray.cluster_resources()
        if s.gpus_per_worker:
            return s.num_workers or max(1, int(resources.get("GPU", 1) // s.gpus_per_worker))
        return s.num_workers or max(1, int(resources.get("CPU", 1) // max(s.cpus_per_worker, 1e-9)))

    def mapped(self, ds: Any, per_call: int, workers: int) -> Any:
        import ray.data

        s = self.s
        fields = (
            {"id_field": "id", "text_field": "text", "clean": False, "skip_ids": frozenset()}
            if self.from_files
            else {"id_field": s.id_field, "text_field": s.text_field, "clean": True, "skip_ids": frozenset(self.out.done)}
        )
        with warnings.catch_warnings():
            # max_task_retries has no named parameter in Ray 2.60.
            warnings.filterwarnings("ignore", message=".*ray_remote_args.*deprecated")
            return ds.map_batches(
                _BatchWorker,
                fn_constructor_kwargs={
                    "task": self.task, "max_chars": s.max_chars, "max_batch_size": s.max_batch_size,
                    "max_batch_tokens": s.max_batch_tokens, **fields,
                },
                batch_size=per_call,
                batch_format="pyarrow",
                compute=ray.data.ActorPoolStrategy(size=workers),
                num_cpus=s.cpus_per_worker,
                num_gpus=s.gpus_per_worker or None,
                max_restarts=-1,
                max_task_retries=s.max_task_retries,
            )

    def drain(self, ds: Any, per_call: int, workers: int) -> set[str]:
        s = self.s
        return _drain(self.mapped(ds, per_call, workers), self.out, self.report, self.fail, self.from_files,
                      s.shard_size, s.shard_seconds)

    def process(self, items: list[dict[str, str]]) -> None:
        """Send everything through the workers, retry what was lost one record at a time, and
        report what is still lost."""
        import ray.data

        workers = self.report.workers = self.workers()
        per_call = self.s.per_call
        if self.from_files:
            blocks = max(workers * 2, -(-len(items) // per_call))
            ds = ray.data.from_items(items, override_num_blocks=min(blocks, len(items)))
            items.clear()  # the object store holds them now
        else:
            ds = self.inputs
            self.pending.update(_dataset_ids(ds, self.s.id_field, self.out.done, self.report))
        returned = self.drain(ds, per_call, workers)
        lost = {rid for rid in self.pending if rid not in returned}
        if lost:
            # A worker died on these batches again and again: retry their records one at a
            # time, so only a record that itself kills the worker is given up.
            logger.warning("retrying %d records whose batch was given up, one record per batch", len(lost))
            if self.from_files:
                retry = self.read_files(set(lost))
                retry_ds = ray.data.from_items(retry, override_num_blocks=len(retry)) if retry else None
            else:
                retry_ds = ds.filter(fn=_IdIn(frozenset(lost), self.s.id_field)).repartition(len(lost))
            if retry_ds is not None:
                returned |= self.drain(retry_ds, 1, min(workers, len(lost)))
        for rid, origin in self.pending.items():
            if rid not in returned:
                self.report.lost_batches_records += 1
                self.fail(rid, origin, f"lost: the worker died on this record {self.s.max_task_retries + 1} times")


class _IdIn:
    """Row filter: is the row's id one of `ids`? (A class, so Ray pickles it by value cheaply.)"""

    def __init__(self, ids: frozenset[str], id_field: str) -> None:
        self.ids, self.id_field = ids, id_field

    def __call__(self, row: dict[str, Any]) -> bool:
        return row.get(self.id_field) is not None and str(row[self.id_field]) in self.ids


@contextlib.contextmanager
def _data_context(progress: bool) -> Iterator[None]:
    """Ray Data settings for our datasets: progress bars as asked, and a batch that fails after
    Ray's retries dropped rather than the whole job (its records are retried, then reported)."""
    import ray.data

    ctx = ray.data.DataContext.get_current()
    saved = (ctx.enable_progress_bars, ctx.max_errored_blocks)
    ctx.enable_progress_bars, ctx.max_errored_blocks = progress, -1
    try:
        yield
    finally:
        ctx.enable_progress_bars, ctx.max_errored_blocks = saved


def _dataset_ids(ds: Any, id_field: str, done: set[str], report: DistributedReport) -> dict[str, str]:
    """One pass over the id column: the ids still to do (id -> origin); done ones are counted."""
    columns = ds.columns()
    if id_field not in columns:
        raise ValueError(f"the dataset has no {id_field!r} column (columns: {', '.join(columns)}); pass id_field")
    pending: dict[str, str] = {}
    for table in ds.select_columns([id_field]).iter_batches(batch_size=None, batch_format="pyarrow"):
        for raw in table[id_field].to_pylist():
            if raw is None or raw == "":
                continue  # the worker reports it
            rid = str(raw)
            if rid in done:
                report.skipped_done += 1
            else:
                pending.setdefault(rid, f"<dataset {id_field}={rid}>")
    return pending


def _drain(
    results: Any,
    out: PartitionedOutput,
    report: DistributedReport,
    fail: Any,
    from_files: bool,
    shard_size: int,
    shard_seconds: float,
) -> set[str]:
    """Consume results as they stream back, committing a part every shard_size rows / seconds.

    Returns the ids that came back (written or failed).
    """
    buffer: list[tuple[str, str]] = []
    buffered: set[str] = set()
    returned: set[str] = set()
    last_commit = time.monotonic()
    for table in results.iter_batches(batch_size=None, batch_format="pyarrow"):
        rows = zip(*(table[c].to_pylist() for c in ("id", "origin", "line", "error")), strict=True)
        for rid, origin, line, error in rows:
            if rid is not None:
                returned.add(rid)
            if error is not None:
                fail(rid, origin, error)
            elif rid in out.done or rid in buffered:
                if from_files:
                    logger.debug("%s: result delivered twice; kept once", rid)  # ids were deduplicated up front
                else:
                    fail(rid, origin, f"duplicate id {rid!r}")
            else:
                buffer.append((rid, line))
                buffered.add(rid)
                report.written += 1
        if len(buffer) >= shard_size or (buffer and time.monotonic() - last_commit >= shard_seconds):
            out.commit(buffer)
            buffer, buffered = [], set()
            last_commit = time.monotonic()
    out.commit(buffer)
    return returned


# ---------------------------------------------------------------------------------- entry points
def summarize_dataset(
    inputs: Sequence[str] | str | Any,
    output_dir: str | Path,
    *,
    model: str | None = None,
    style: str = "highlights",
    faithful: bool = True,
    input_format: str = "auto",
    device: str | None = None,
    dtype: str | None = None,
    backend: str = "auto",
    ray_address: str | None = None,
    **kwargs: Any,
) -> DistributedReport:
    """Summarize files or a Ray Dataset on a Ray cluster into `output_dir` (see `run_distributed`).

    Generation overrides (`max_words`, `max_new_tokens`, `num_beams`, ...) go in `kwargs` with the
    run's options (`RunOptions` fields).
    """
    generation = {k: kwargs.pop(k) for k in list(kwargs) if k in GENERATION_SETTINGS}
    task = SummarizeTask(
        model=None if model is None else str(model), style=style, faithful=faithful, input_format=input_format,
        overrides=tuple(sorted(generation.items())), device=device, dtype=dtype, backend=backend,
    )
    return run_distributed(inputs, task, output_dir, ray_address=ray_address, **kwargs)
