"""Evaluation records and prediction files: from rows of any source (`eval.sources`) to
`Document`s / `CasingRecord`s by column mapping, predictions in any of the usual formats, and
resumable prediction files for our model.

The project's data files (`shared/data/README.md`) need no mapping: summarization records carry
`id`, `article`, `references` (a list) and optional `systems` (published outputs), `dataset`,
`split` and `labels`; casing records carry `id`, `input` and `target`. Other data names its
columns (`--text_column`, `--summary_column`, `--id_column`; `--input_column`, `--target_column`)
or uses a usual name (`article`/`document`/`text`, `highlights`/`summary`/...).

Prediction files (`read_system_outputs`), by suffix:
- `.jsonl` (or `.json` lines): `{"id": ..., "summary": ...}` (`"output"` for casing);
- `.csv` / `.tsv` / `.parquet`: a column (`PATH:COLUMN` in `--system`, default `summary` /
  `output`), matched by an `id` column when the file has one, else by row order;
- anything else (`test.hypo`, `.txt`): plain text, one prediction a line, in data order.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tqdm.auto import tqdm

from eval.sources import (
    TABLE_SUFFIXES,
    Rows,
    Source,
    column_values,
    find_column,
    load_rows,
    numbered_jsonl,
    read_jsonl,
    read_text,
    row_ids,
)
from summarizer.paths import data_root, resolve_data_path

__all__ = [
    "CasingColumns",
    "CasingRecord",
    "Document",
    "SummaryColumns",
    "align_predictions",
    "data_root",
    "load_casing_records",
    "load_documents",
    "predict_to_file",
    "read_casing_records",
    "read_documents",
    "read_jsonl",
    "read_predictions",
    "read_system_outputs",
    "resolve_data_path",
]

logger = logging.getLogger(__name__)

TEXT_COLUMNS = ("article", "document", "text", "source", "input")
SUMMARY_COLUMNS = ("references", "highlights", "summary", "reference", "target")


# ---------------------------------------------------------------------------------------------
# Summarization documents


@dataclass(frozen=True)
class Document:
    """One summarization record: source, references and published system outputs (`peers`)."""

    id: str
    article: str
    references: tuple[str, ...]
    dataset: str | None = None
    split: str | None = None
    peers: dict[str, str] = field(default_factory=dict)
    labels: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SummaryColumns:
    """Column mapping, as in transformers' run_summarization.py; None means a usual name."""

    text: str | None = None
    summary: tuple[str, ...] = ()
    id: str | None = None


def _references(value: object, origin: str, number: int, column: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return [v for v in value if v.strip()]
    raise ValueError(
        f"{origin}: row {number}: {column!r} must be a string or a list of strings, got {type(value).__name__}"
    )


def _peers(record: dict, origin: str) -> dict[str, str]:
    peers = {}
    systems = record.get("systems")
    for name, text in (systems if isinstance(systems, dict) else {}).items():
        if isinstance(text, str):
            peers[name] = text
        else:
            logger.warning("%s: system %r of %s is not a string; skipped", origin, name, record.get("id"))
    return peers


def documents_from_rows(rows: Rows, columns: SummaryColumns = SummaryColumns()) -> list[Document]:
    """Documents by column mapping: several summary columns and list columns give several references."""
    text_column = find_column(rows, columns.text, TEXT_COLUMNS, "text", "--text_column")
    summary_columns = [find_column(rows, c, (), "summary", "--summary_column") for c in columns.summary] or [
        find_column(rows, None, SUMMARY_COLUMNS, "summary", "--summary_column")
    ]
    ids = row_ids(rows, columns.id)
    articles = column_values(rows, text_column)
    documents = []
    for number, (record, key, article) in enumerate(zip(rows.rows, ids, articles, strict=True), 1):
        if not isinstance(article, str):
            raise ValueError(f"{rows.origin}: row {number} (id {key}): {text_column!r} is not text")
        references = [
            ref for c in summary_columns for ref in _references(record.get(c), rows.origin, number, c)
        ]
        documents.append(
            Document(
                id=key,
                article=article,
                references=tuple(references),
                dataset=record.get("dataset") if isinstance(record.get("dataset"), str) else None,
                split=record.get("split") if isinstance(record.get("split"), str) else None,
                peers=_peers(record, rows.origin),
                labels=record.get("labels") if isinstance(record.get("labels"), dict) else {},
            )
        )
    return documents


def _filter(items: list, key: str, wanted: str | None, origin: str) -> list:
    if wanted is None:
        return items
    present = sorted({str(getattr(i, key)) for i in items})
    if all(getattr(i, key) is None for i in items):
        raise ValueError(f"--{key} {wanted} given but the records of {origin} have no {key!r} field")
    kept = [i for i in items if getattr(i, key) == wanted]
    if not kept:
        raise ValueError(f"no record of {origin} has {key}={wanted!r}; present: {', '.join(present)}")
    return kept


def _limit(items: list, limit: int | None) -> list:
    if limit is not None and limit < 1:
        raise ValueError(f"--limit must be >= 1, got {limit}")
    return items if limit is None else items[:limit]


def _source(source: object, split: str | None) -> object:
    return Source(data=str(source), split=split) if isinstance(source, str | os.PathLike) else source


def read_documents(
    source: Source | object, columns: SummaryColumns = SummaryColumns(), *, dataset: str | None = None
) -> tuple[list[Document], Rows]:
    """All documents of `source` after the split and `dataset` filters, and the rows' origin."""
    rows = load_rows(source)
    documents = _filter(documents_from_rows(rows, columns), "dataset", dataset, rows.origin)
    return documents, rows


def load_documents(
    source: str | os.PathLike | Source | object,
    *,
    split: str | None = None,
    dataset: str | None = None,
    limit: int | None = None,
    columns: SummaryColumns = SummaryColumns(),
) -> list[Document]:
    """Summarization documents of a path (or `Source`, `datasets.Dataset`, list of dicts),
    filtered by `split` and `dataset`, then the first `limit`."""
    documents, _ = read_documents(_source(source, split), columns, dataset=dataset)
    return _limit(documents, limit)


# ---------------------------------------------------------------------------------------------
# Casing records


@dataclass(frozen=True)
class CasingRecord:
    id: str
    input: str
    target: str
    kind: str | None = None


@dataclass(frozen=True)
class CasingColumns:
    input: str | None = None
    target: str | None = None
    id: str | None = None


def read_casing_records(
    source: Source | object, columns: CasingColumns = CasingColumns(), *, kind: str | None = None
) -> tuple[list[CasingRecord], Rows]:
    """Aligned (input, target) pairs of `source`, optionally of one `kind`, and the rows' origin."""
    rows = load_rows(source)
    input_column = find_column(rows, columns.input, ("input", "source", "text"), "input", "--input_column")
    target_column = find_column(rows, columns.target, ("target", "cased"), "target", "--target_column")
    ids = row_ids(rows, columns.id)
    records = []
    for number, (row, key) in enumerate(zip(rows.rows, ids, strict=True), 1):
        text, target = row.get(input_column), row.get(target_column)
        if not isinstance(text, str) or not isinstance(target, str):
            raise ValueError(f"{rows.origin}: row {number} (id {key}): input and target must be text")
        row_kind = row.get("kind") if isinstance(row.get("kind"), str) else None
        records.append(CasingRecord(id=key, input=text, target=target, kind=row_kind))
    return _filter(records, "kind", kind, rows.origin), rows


def load_casing_records(
    source: str | os.PathLike | Source | object,
    *,
    kind: str | None = None,
    limit: int | None = None,
    columns: CasingColumns = CasingColumns(),
) -> list[CasingRecord]:
    """Casing records (`input` lowercased, `target` cased, same tokens), optionally of one `kind`."""
    records, _ = read_casing_records(_source(source, None), columns, kind=kind)
    return _limit(records, limit)


# ---------------------------------------------------------------------------------------------
# Prediction files


def read_predictions(path: str | os.PathLike, text_field: str) -> dict[str, str]:
    """`{id: text}` from a jsonl file of `{"id": ..., text_field: ...}` lines."""
    predictions: dict[str, str] = {}
    lines: dict[str, int] = {}
    for number, record in numbered_jsonl(path):
        if "id" not in record or text_field not in record:
            raise ValueError(f"{path}:{number}: needs a JSON object with 'id' and {text_field!r}")
        if not isinstance(record[text_field], str):
            raise ValueError(f"{path}:{number}: {text_field!r} must be a string")
        key = str(record["id"])
        if key in predictions:
            raise ValueError(f"{path}:{number}: id {key!r} appears twice (first on line {lines[key]})")
        predictions[key], lines[key] = record[text_field], number
    if not predictions:
        raise ValueError(f"{path} holds no predictions")
    return predictions


def _by_order(
    path: Path, values: list[str], ids: Sequence[str], unit: str, allow_missing: bool
) -> dict[str, str]:
    if len(values) > len(ids) or (len(values) < len(ids) and not allow_missing):
        raise ValueError(
            f"{path} has {len(values)} {unit}s but the data has {len(ids)} documents (after --split/--dataset "
            f"filters); {unit} i is the prediction for document i"
            + ("" if len(values) > len(ids) else "; pass --allow_missing to score only the first ones")
        )
    return dict(zip(ids, values, strict=False))


def _read_lines(path: Path, ids: Sequence[str], allow_missing: bool) -> dict[str, str]:
    text = read_text(path)
    if not text.strip():
        raise ValueError(f"{path} is empty")
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return _by_order(path, [line.rstrip("\r") for line in lines], ids, "line", allow_missing)


def _read_table(
    path: Path, column: str | None, text_field: str, ids: Sequence[str], allow_missing: bool
) -> dict[str, str]:
    rows = load_rows(Source(data=str(path)))
    column = find_column(rows, column, (text_field,), "prediction", f"{path}:COLUMN in --system")
    values = ["" if v is None else v for v in column_values(rows, column, number_offset=2)]
    for number, value in enumerate(values, 2):
        if not isinstance(value, str):
            raise ValueError(f"{path}: row {number}: {column!r} is not text")
    if "id" not in rows.rows[0]:
        return _by_order(path, values, ids, "row", allow_missing)
    return dict(zip(row_ids(rows, "id"), values, strict=True))


def read_system_outputs(
    path: str | os.PathLike,
    text_field: str,
    ids: Sequence[str],
    *,
    column: str | None = None,
    allow_missing: bool = False,
) -> dict[str, str]:
    """`{id: prediction}` from a prediction file in any supported format (module docstring).

    `ids` are the data's document ids in order: plain-text lines and table rows without ids are
    matched to them by position, and their count must match unless `allow_missing`."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"prediction file {str(path)!r} does not exist")
    if path.stat().st_size == 0:
        raise ValueError(f"{path} is empty")
    suffix = path.suffix.lower()
    if suffix in TABLE_SUFFIXES:
        predictions = _read_table(path, column, text_field, ids, allow_missing)
    elif column is not None:
        raise ValueError(f"{path}: a column ({column!r}) can only be chosen in a .csv, .tsv or .parquet file")
    elif suffix in (".jsonl", ".json"):
        predictions = read_predictions(path, text_field)
    else:
        predictions = _read_lines(path, ids, allow_missing)
    unknown = set(predictions) - set(ids)
    if unknown:
        logger.warning(
            "%s: %d predictions have ids not in the data (first: %r)", path, len(unknown), min(unknown)
        )
    return predictions


def align_predictions(
    ids: Sequence[str], systems: dict[str, dict[str, str]], *, allow_missing: bool
) -> list[str]:
    """The ids every system covers, in data order.

    Without `allow_missing`, any missing prediction is an error naming the system and the count.
    """
    covered = list(ids)
    for name, predictions in systems.items():
        missing = [i for i in ids if i not in predictions]
        if missing and not allow_missing:
            raise ValueError(
                f"system {name!r} lacks predictions for {len(missing)} of {len(ids)} documents "
                f"(first: {missing[0]!r}); fix the file or pass --allow_missing to score only the "
                "documents every system covers"
            )
        if missing:
            logger.warning("system %r lacks %d of %d documents", name, len(missing), len(ids))
        covered = [i for i in covered if i in predictions]
    if not covered:
        raise ValueError("no document has a prediction from every system")
    return covered


# ---------------------------------------------------------------------------------------------
# Resumable predictions of our model


def _read_partial(path: Path, text_field: str) -> dict[str, str]:
    """Predictions already written; a torn last line (crash mid-write) is dropped and rewritten."""
    if not path.exists():
        return {}
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    done: dict[str, str] = {}
    kept: list[str] = []
    for number, line in enumerate(lines, 1):
        try:
            record = json.loads(line)
            done[str(record["id"])] = record[text_field]
            kept.append(line if line.endswith("\n") else line + "\n")
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            if number < len(lines):
                raise ValueError(
                    f"{path}:{number} is corrupt ({error}); delete the file to start over"
                ) from error
            logger.warning("%s: dropping a torn last line", path)
    if kept != lines:
        path.write_text("".join(kept), encoding="utf-8")
    return done


def predict_to_file(
    path: str | os.PathLike,
    items: Iterable[tuple[str, str]],
    predict_fn: Callable[[list[str]], list[str]],
    *,
    text_field: str,
    chunk_size: int = 32,
    desc: str = "predicting",
) -> dict[str, str]:
    """Run `predict_fn` on the `(id, input)` items not yet in `path`, appending as it goes.

    Each chunk is flushed and synced before the next starts, so a crashed run resumes where it
    stopped. Returns all predictions in `path` for the given ids.
    """
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be >= 1, got {chunk_size}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    items = list(items)
    done = _read_partial(path, text_field)
    todo = [(i, text) for i, text in items if i not in done]
    if done:
        logger.info("%s: %d predictions found, %d to go", path, len(items) - len(todo), len(todo))
    with open(path, "a", encoding="utf-8") as handle, tqdm(total=len(todo), desc=desc, unit="doc") as bar:
        for start in range(0, len(todo), chunk_size):
            chunk = todo[start : start + chunk_size]
            outputs = predict_fn([text for _, text in chunk])
            if len(outputs) != len(chunk):
                raise ValueError(f"predict_fn returned {len(outputs)} outputs for {len(chunk)} inputs")
            for (key, _), output in zip(chunk, outputs, strict=True):
                if not isinstance(output, str):
                    raise TypeError(f"predict_fn must return strings, got {type(output).__name__}")
                handle.write(json.dumps({"id": key, text_field: output}, ensure_ascii=False) + "\n")
                done[key] = output
            handle.flush()
            os.fsync(handle.fileno())
            bar.update(len(chunk))
    return {i: done[i] for i, _ in items}
