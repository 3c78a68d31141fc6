"""Read input records from .jsonl, .csv, .txt files, folders of them, or stdin.

Bad records are yielded as `BadRecord` with a reason instead of raising, so a batch job can
report them and carry on. Only a problem with the whole input (a missing file, an unsupported
file type) raises.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

__all__ = ["SUFFIXES", "BadRecord", "Record", "count_records", "expand_inputs", "read_records"]

SUFFIXES = (".jsonl", ".csv", ".txt")
# What undecodable bytes become under errors="surrogateescape".
_SURROGATE = re.compile("[\udc80-\udcff]")
STDIN = "-"


@dataclass(frozen=True)
class Record:
    id: str
    text: str
    # Where it came from, e.g. "articles.jsonl:12", for error messages.
    origin: str


@dataclass(frozen=True)
class BadRecord:
    id: str | None
    origin: str
    reason: str


def expand_inputs(inputs: Sequence[str]) -> list[str]:
    """Files as given; folders become their supported files, sorted. Raises on missing paths."""
    paths: list[str] = []
    for item in inputs:
        if item == STDIN:
            paths.append(item)
            continue
        path = Path(item)
        if path.is_dir():
            found = sorted(str(p) for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
            if not found:
                raise ValueError(f"folder {item} holds no {'/'.join(SUFFIXES)} files")
            paths.extend(found)
        elif path.is_file():
            if path.suffix.lower() not in SUFFIXES:
                raise ValueError(f"unsupported input {item}: expected {', '.join(SUFFIXES)}, a folder, or - for stdin")
            paths.append(item)
        else:
            raise FileNotFoundError(f"input {item} does not exist")
    return paths


def count_records(paths: Sequence[str]) -> int | None:
    """Cheap upper bound for a progress bar (lines for jsonl/csv); None when unknowable (stdin)."""
    total = 0
    for path in paths:
        if path == STDIN:
            return None
        if path.lower().endswith(".txt"):
            total += 1
        else:
            with open(path, "rb") as f:
                total += sum(1 for line in f if line.strip())
            if path.lower().endswith(".csv"):
                total -= 1  # header
    return max(total, 0)


def _text_record(data: bytes, rid: str, origin: str) -> Record | BadRecord:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        return BadRecord(rid, origin, f"invalid UTF-8 at byte {e.start}")
    if not text.strip():
        return BadRecord(rid, origin, "empty text")
    return Record(rid, text, origin)


def _from_mapping(row: dict, origin: str, default_id: str, text_field: str, id_field: str) -> Record | BadRecord:
    raw_id = row.get(id_field)
    rid = default_id if raw_id is None or raw_id == "" else str(raw_id)
    if text_field not in row:
        present = ", ".join(sorted(map(str, row))) or "none"
        return BadRecord(rid, origin, f"missing field {text_field!r} (fields present: {present})")
    text = row[text_field]
    if not isinstance(text, str):
        return BadRecord(rid, origin, f"field {text_field!r} is {type(text).__name__}, expected a string")
    if not text.strip():
        return BadRecord(rid, origin, f"field {text_field!r} is empty")
    if _SURROGATE.search(text):
        return BadRecord(rid, origin, f"field {text_field!r} is not valid UTF-8")
    return Record(rid, text, origin)


def _read_jsonl(stream: BinaryIO, name: str, text_field: str, id_field: str) -> Iterator[Record | BadRecord]:
    for lineno, raw in enumerate(stream, start=1):
        origin = f"{name}:{lineno}"
        if not raw.strip():
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            yield BadRecord(None, origin, f"invalid UTF-8 at byte {e.start}")
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            yield BadRecord(None, origin, f"invalid JSON: {e.msg} at column {e.colno}")
            continue
        if not isinstance(row, dict):
            yield BadRecord(None, origin, f"expected a JSON object, got {type(row).__name__}")
            continue
        yield _from_mapping(row, origin, origin, text_field, id_field)


def _read_csv(path: str, text_field: str, id_field: str) -> Iterator[Record | BadRecord]:
    csv.field_size_limit(sys.maxsize)
    # surrogateescape keeps going past bad bytes; _from_mapping then rejects just that row.
    with open(path, encoding="utf-8", errors="surrogateescape", newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames is None:
            return
        for row in reader:
            origin = f"{path}:{reader.line_num}"
            if None in row:
                yield BadRecord(row.get(id_field), origin, "row has more cells than the header")
                continue
            yield _from_mapping(row, origin, origin, text_field, id_field)


def read_records(
    inputs: Sequence[str], *, text_field: str = "article", id_field: str = "id", stdin: BinaryIO | None = None
) -> Iterator[Record | BadRecord]:
    """Yield every record of every input in order.

    .jsonl: one JSON object a line, text in `text_field`, id in `id_field` (default id
    "file:line"). .csv: a header row naming the fields. .txt: the whole file is one article, id
    the file name without suffix. "-": stdin, read as JSONL when it starts with "{", else as one
    article with id "stdin".
    """
    for path in expand_inputs(inputs):
        if path == STDIN:
            data = (stdin or sys.stdin.buffer).read()
            if data.lstrip()[:1] == b"{":
                yield from _read_jsonl(io.BytesIO(data), "<stdin>", text_field, id_field)
            else:
                yield _text_record(data, "stdin", "<stdin>")
        elif path.lower().endswith(".jsonl"):
            with open(path, "rb") as f:
                yield from _read_jsonl(f, path, text_field, id_field)
        elif path.lower().endswith(".csv"):
            yield from _read_csv(path, text_field, id_field)
        else:
            yield _text_record(Path(path).read_bytes(), Path(path).stem, path)
