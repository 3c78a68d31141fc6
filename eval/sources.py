"""Reading evaluation data from any source into rows, and rows into records by column mapping.

One path for every source, used by `python -m eval summarize|normalize` and by `eval.score`:

- the project's own JSONL (`shared/data/README.md`), also any `.jsonl` / `.json` file: read here
  (line-numbered errors; nested fields such as `systems` kept as they are);
- `.csv`, `.tsv` and `.parquet` files, through `datasets.load_dataset("csv"|"parquet", ...)`;
- a folder written by `Dataset.save_to_disk` / `DatasetDict.save_to_disk` (`datasets.load_from_disk`);
- a dataset by name, `load_dataset(name, config, split=...)` (the hub, where it is reachable);
- a `datasets.Dataset` or a list of dicts already in memory (the Python API).

`--split` picks a split of a hub dataset or a `DatasetDict`; for a file it keeps the rows whose
`split` field has that value (the project's data files carry one). Column mapping follows
transformers' `run_summarization.py`: a text column, one or more summary columns (a column may
also hold a list of references), and an optional id column (else the row number is the id).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summarizer.paths import resolve_data_path

__all__ = [
    "Rows",
    "Source",
    "column_values",
    "find_column",
    "load_rows",
    "read_jsonl",
    "read_text",
    "row_ids",
]

logger = logging.getLogger(__name__)

TABLE_SUFFIXES = {".csv": "csv", ".tsv": "csv", ".parquet": "parquet"}
JSON_SUFFIXES = (".jsonl", ".json")


def read_text(path: str | os.PathLike) -> str:
    """The file as text: UTF-8 (a BOM is dropped); bad bytes are an error naming the line."""
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ValueError(
            f"{path}:{line}: not valid UTF-8 (byte 0x{data[error.start]:02x}); save the file as UTF-8"
        ) from error


def numbered_jsonl(path: str | os.PathLike) -> Iterator[tuple[int, dict]]:
    """(line number, JSON object) for each non-blank line; errors name the file and the line."""
    for number, line in enumerate(read_text(path).splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise ValueError(f"{path}:{number}: not valid JSON ({error.msg})") from error
        if not isinstance(record, dict):
            raise ValueError(f"{path}:{number}: expected a JSON object, got {type(record).__name__}")
        yield number, record


def read_jsonl(path: str | os.PathLike) -> list[dict]:
    """JSON objects, one a line (blank lines skipped); errors name the file and the line."""
    return [record for _, record in numbered_jsonl(path)]


def _read_json(path: Path) -> list[dict]:
    """A `.json` file: a JSON array of objects, `{"data": [...]}`, or JSON lines."""
    text = read_text(path).strip()
    if text.startswith("["):
        rows = json.loads(text)
    elif text.startswith("{") and "\n" not in text:
        rows = [json.loads(text)]
    else:
        try:
            payload = json.loads(text)
            rows = payload.get("data") if isinstance(payload, dict) else None
        except json.JSONDecodeError:
            rows = None
        if rows is None:
            return read_jsonl(path)
    if not all(isinstance(r, dict) for r in rows):
        raise ValueError(f"{path}: expected JSON objects (one per record)")
    return rows


@dataclass(frozen=True)
class Source:
    """Where the data comes from: a path (`data`) or a dataset name, and a split."""

    data: str | None = None
    dataset_name: str | None = None
    dataset_config: str | None = None
    split: str | None = None

    def __post_init__(self) -> None:
        if (self.data is None) == (self.dataset_name is None):
            raise ValueError("give either --data (a file or folder) or --dataset_name, not both or neither")


@dataclass(frozen=True)
class Rows:
    """Rows of one source as dicts, and how to name and fingerprint it in reports."""

    rows: list[dict]
    origin: str
    sha256: str | None = None
    fingerprint: str | None = None
    split_applied: bool = False


def _pick_split(dataset: Any, split: str | None, origin: str) -> tuple[Any, bool]:
    """A `Dataset` from a `DatasetDict` (by `split`, or its only split)."""
    import datasets

    if not isinstance(dataset, datasets.DatasetDict):
        return dataset, False
    names = list(dataset)
    if split is None and len(names) == 1:
        return dataset[names[0]], True
    if split not in dataset:
        raise ValueError(f"{origin} has splits {names}; choose one with --split")
    return dataset[split], True


def _dataset_rows(dataset: Any, origin: str, split: str | None) -> Rows:
    dataset, applied = _pick_split(dataset, split, origin)
    return Rows(
        dataset.to_list(), origin, fingerprint=getattr(dataset, "_fingerprint", None), split_applied=applied
    )


def _load_hub(source: Source) -> Rows:
    import datasets

    origin = source.dataset_name + (f" ({source.dataset_config})" if source.dataset_config else "")
    try:
        loaded = datasets.load_dataset(source.dataset_name, source.dataset_config, split=source.split)
    except (FileNotFoundError, ConnectionError, OSError) as error:
        raise ValueError(
            f"could not load dataset {origin}: {error}. Offline, point --data at a local file or a "
            "save_to_disk folder instead"
        ) from error
    rows = _dataset_rows(loaded, origin, source.split)
    return Rows(
        rows.rows, f"{origin}, split {source.split}", fingerprint=rows.fingerprint, split_applied=True
    )


def _load_path(path: Path, split: str | None) -> Rows:
    from eval.report import file_sha256

    if path.is_dir():
        import datasets

        return _dataset_rows(datasets.load_from_disk(str(path)), str(path), split)
    suffix = path.suffix.lower()
    if path.stat().st_size == 0:
        raise ValueError(f"{path} is empty")
    if suffix in TABLE_SUFFIXES:
        import datasets

        kwargs = {"delimiter": "\t"} if suffix == ".tsv" else {}
        table = datasets.load_dataset(TABLE_SUFFIXES[suffix], data_files=str(path), split="train", **kwargs)
        return Rows(table.to_list(), str(path), sha256=file_sha256(path))
    if suffix == ".json":
        return Rows(_read_json(path), str(path), sha256=file_sha256(path))
    return Rows(read_jsonl(path), str(path), sha256=file_sha256(path))


def load_rows(source: Source | Sequence[dict] | Any) -> Rows:
    """Rows of `source` (a `Source`, a `datasets.Dataset`/`DatasetDict`, or a list of dicts)."""
    if isinstance(source, Source):
        rows = (
            _load_hub(source)
            if source.dataset_name
            else _load_path(resolve_data_path(source.data), source.split)
        )
        split = source.split
    elif isinstance(source, list | tuple):
        rows, split = Rows([dict(r) for r in source], "rows given in Python"), None
    else:
        rows, split = _dataset_rows(source, type(source).__name__, None), None
    if not rows.rows:
        raise ValueError(f"{rows.origin} has no rows")
    if split is not None and not rows.split_applied:
        rows = _filter_split(rows, split)
    return rows


def _filter_split(rows: Rows, split: str) -> Rows:
    if all("split" not in r for r in rows.rows):
        raise ValueError(f"--split {split} given but the records of {rows.origin} have no 'split' field")
    kept = [r for r in rows.rows if r.get("split") == split]
    if not kept:
        present = sorted({str(r.get("split")) for r in rows.rows})
        raise ValueError(f"no record of {rows.origin} has split={split!r}; present: {', '.join(present)}")
    return Rows(kept, rows.origin, rows.sha256, rows.fingerprint, True)


def find_column(rows: Rows, given: str | None, candidates: Sequence[str], role: str, flag: str) -> str:
    """The column to use for `role`: `given` (checked), else the first of `candidates` present."""
    columns = list(rows.rows[0])
    if given is not None:
        if given not in columns:
            raise ValueError(f"{flag} {given!r} is not a column of {rows.origin}; columns: {columns}")
        return given
    for name in candidates:
        if name in columns:
            return name
    raise ValueError(
        f"{rows.origin} has no {role} column ({', '.join(candidates)}); name it with {flag}. Columns: {columns}"
    )


def column_values(rows: Rows, column: str, *, number_offset: int = 1) -> list[Any]:
    """The values of `column`; a row without it is an error naming the row."""
    values = []
    for number, row in enumerate(rows.rows, number_offset):
        if column not in row:
            raise ValueError(f"{rows.origin}: row {number} has no {column!r} field")
        values.append(row[column])
    return values


def row_ids(rows: Rows, id_column: str | None) -> list[str]:
    """Ids from `id_column` (`"id"` when present and none is named), else the row numbers 0, 1, ...

    Duplicate or missing ids are errors naming the rows."""
    column = id_column or ("id" if "id" in rows.rows[0] else None)
    if column is None:
        return [str(i) for i in range(len(rows.rows))]
    ids = [str(v) if v is not None else None for v in column_values(rows, column)]
    seen: dict[str, int] = {}
    for number, key in enumerate(ids, 1):
        if key is None or key == "":
            raise ValueError(f"{rows.origin}: row {number} has an empty id ({column!r})")
        if key in seen:
            raise ValueError(f"{rows.origin}: id {key!r} appears twice (rows {seen[key]} and {number})")
        seen[key] = number
    return ids  # type: ignore[return-value]
