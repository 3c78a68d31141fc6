"""Reading evaluation data and prediction files, and writing resumable predictions.

Data files follow `shared/data/README.md`: summarization records carry `id`, `dataset`,
`article`, `references` and optional `systems` (published outputs) and `split`; casing records
carry `id`, `input` and `target`. A relative `--data` path that does not exist is looked up under
the data root: `$SUMMARIZER_DATA`, else `../shared/data` beside the repository.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tqdm.auto import tqdm

__all__ = [
    "CasingRecord",
    "Document",
    "align_predictions",
    "data_root",
    "load_casing_records",
    "load_documents",
    "predict_to_file",
    "read_jsonl",
    "read_predictions",
    "resolve_data_path",
]

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent


def data_root() -> Path:
    env = os.environ.get("SUMMARIZER_DATA")
    return Path(env) if env else (REPO_ROOT.parent / "shared" / "data").resolve()


def resolve_data_path(path: str | os.PathLike) -> Path:
    """`path` if it exists, else the same relative path under `data_root()`."""
    candidate = Path(path)
    if candidate.exists():
        return candidate
    if not candidate.is_absolute() and (data_root() / candidate).exists():
        return data_root() / candidate
    raise ValueError(
        f"data file {str(path)!r} not found (also looked under the data root {data_root()}; "
        "set SUMMARIZER_DATA to change it)"
    )


def read_jsonl(path: str | os.PathLike) -> list[dict]:
    records = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(f"{path}:{number}: not valid JSON ({error.msg})") from error
            if not isinstance(record, dict):
                raise ValueError(f"{path}:{number}: expected a JSON object, got {type(record).__name__}")
            records.append(record)
    return records


def _select(
    records: list[dict], path: Path, *, split: str | None, dataset: str | None, limit: int | None
) -> list[dict]:
    for key, wanted in (("split", split), ("dataset", dataset)):
        if wanted is None:
            continue
        present = sorted({str(r.get(key)) for r in records})
        if all(key not in r for r in records):
            raise ValueError(f"--{key} {wanted} given but the records of {path} have no {key!r} field")
        records = [r for r in records if r.get(key) == wanted]
        if not records:
            raise ValueError(f"no record of {path} has {key}={wanted!r}; present: {', '.join(present)}")
    if limit is not None:
        if limit < 1:
            raise ValueError(f"--limit must be >= 1, got {limit}")
        records = records[:limit]
    ids = [r["id"] for r in records]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{path} has duplicate ids")
    return records


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


def load_documents(
    path: str | os.PathLike,
    *,
    split: str | None = None,
    dataset: str | None = None,
    limit: int | None = None,
) -> list[Document]:
    """Summarization records, filtered by `split` and `dataset`, then the first `limit`."""
    path = resolve_data_path(path)
    records = read_jsonl(path)
    for number, record in enumerate(records, 1):
        missing = [key for key in ("id", "article", "references") if key not in record]
        if missing:
            raise ValueError(
                f"{path}: record {number} lacks {missing}; summarization data needs id, article, references"
            )
        if not isinstance(record["references"], list) or not all(
            isinstance(r, str) for r in record["references"]
        ):
            raise ValueError(f"{path}: record {record['id']}: references must be a list of strings")
    records = _select(records, path, split=split, dataset=dataset, limit=limit)
    documents = []
    for record in records:
        peers = {}
        for name, text in (record.get("systems") or {}).items():
            if isinstance(text, str):
                peers[name] = text
            else:
                logger.warning("%s: system %r of %s is not a string; skipped", path, name, record["id"])
        documents.append(
            Document(
                id=str(record["id"]),
                article=record["article"],
                references=tuple(record["references"]),
                dataset=record.get("dataset"),
                split=record.get("split"),
                peers=peers,
                labels=record.get("labels") or {},
            )
        )
    return documents


@dataclass(frozen=True)
class CasingRecord:
    id: str
    input: str
    target: str
    kind: str | None = None


def load_casing_records(
    path: str | os.PathLike, *, kind: str | None = None, limit: int | None = None
) -> list[CasingRecord]:
    """Casing records (`input` lowercased, `target` cased, same tokens), optionally of one `kind`."""
    path = resolve_data_path(path)
    records = read_jsonl(path)
    for number, record in enumerate(records, 1):
        missing = [key for key in ("id", "input", "target") if key not in record]
        if missing:
            raise ValueError(f"{path}: record {number} lacks {missing}; casing data needs id, input, target")
    if kind is not None:
        present = sorted({str(r.get("kind")) for r in records})
        records = [r for r in records if r.get("kind") == kind]
        if not records:
            raise ValueError(f"no record of {path} has kind={kind!r}; present: {', '.join(present)}")
    records = _select(records, path, split=None, dataset=None, limit=limit)
    return [
        CasingRecord(id=str(r["id"]), input=r["input"], target=r["target"], kind=r.get("kind"))
        for r in records
    ]


def read_predictions(path: str | os.PathLike, text_field: str) -> dict[str, str]:
    """`{id: text}` from a jsonl file of `{"id": ..., text_field: ...}` lines."""
    predictions: dict[str, str] = {}
    for number, record in enumerate(read_jsonl(path), 1):
        if "id" not in record or text_field not in record:
            raise ValueError(f"{path}: line {number} needs 'id' and {text_field!r}, has {sorted(record)}")
        if not isinstance(record[text_field], str):
            raise ValueError(f"{path}: line {number}: {text_field!r} must be a string")
        key = str(record["id"])
        if key in predictions:
            raise ValueError(f"{path}: id {key!r} appears twice")
        predictions[key] = record[text_field]
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
                f"(first: {missing[0]!r}); fix the file or pass --allow-missing to score only the "
                "documents every system covers"
            )
        if missing:
            logger.warning("system %r lacks %d of %d documents", name, len(missing), len(ids))
        covered = [i for i in covered if i in predictions]
    if not covered:
        raise ValueError("no document has a prediction from every system")
    return covered


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
