"""Read input records from .jsonl, .csv, .txt, .html files, folders of them, or stdin.

Bad records are yielded as `BadRecord` with a reason instead of raising, so a batch job can
report them and carry on. Only a problem with the whole input (a missing file, an unsupported
file type) raises.

Every text goes through `summarizer.text.cleaning.clean_text` (control characters removed, HTML
stripped to text, binary and over-long texts rejected, non-English text warned about), and
memory stays bounded by `max_chars`: a JSONL line, CSV field or .txt file too big to hold a text
of that many characters is skipped without being read whole.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from summarizer.text.cleaning import DEFAULT_MAX_CHARS, PAGE_MARKUP_FACTOR, RejectedText, clean_text
from summarizer.text.html import PAGE_SUFFIXES

__all__ = [
    "SUFFIXES",
    "BadRecord",
    "Record",
    "count_records",
    "expand_inputs",
    "read_records",
    "reason_kind",
    "sanitize_record",
]

logger = logging.getLogger(__name__)

# A whole file is one article: plain text, or a saved page (its article, see `clean_text`).
_WHOLE_FILE = (".txt", *PAGE_SUFFIXES)
SUFFIXES = (".jsonl", ".csv", *_WHOLE_FILE)
# What undecodable bytes become under errors="surrogateescape"; any surrogate is invalid text.
_SURROGATE = re.compile("[\ud800-\udfff]")
STDIN = "-"
# Room for the other fields of a JSONL line or CSV row beside the text.
_ROW_SLACK_BYTES = 64 * 1024
# Warnings about legal but suspicious input (non-English text) logged per read before going quiet.
_MAX_LOGGED_WARNINGS = 20


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


def reason_kind(reason: str) -> str:
    """A reason without its particulars, for counting: "duplicate id 'a0' (first at x:1)" -> "duplicate id"."""
    kind = re.split(r" \(|: | at byte | at column ", reason, maxsplit=1)[0]
    kind = re.sub(r"'[^']*'|\"[^\"]*\"|(?<![\w-])\d[\d,]*", "", kind)
    return " ".join(kind.split())


def expand_inputs(inputs: Sequence[str]) -> list[str]:
    """Files as given; folders become their supported files, sorted. Raises on missing paths."""
    if isinstance(inputs, str):
        raise TypeError("expected a list of inputs; wrap a single path in a list")
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
        if path.lower().endswith(_WHOLE_FILE):
            total += 1
            continue
        try:
            with open(path, "rb") as f:
                total += sum(1 for line in f if line.strip())
        except OSError:
            continue
        if path.lower().endswith(".csv"):
            total -= 1  # header
    return max(total, 0)


def _safe(text: str) -> str:
    """Text that can be written as UTF-8 (undecodable file-name bytes escaped)."""
    return _SURROGATE.sub(lambda m: f"\\x{ord(m.group()) & 0xFF:02x}", text)


def _decode_error(data: bytes, e: UnicodeDecodeError) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return f"invalid UTF-8 at byte {e.start} (the file looks like UTF-16; convert it to UTF-8)"
    return f"invalid UTF-8 at byte {e.start}"


def _text_record(data: bytes, rid: str, origin: str) -> Record | BadRecord:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        return BadRecord(rid, origin, _decode_error(data, e))
    if not text.strip():
        return BadRecord(rid, origin, "empty text")
    return Record(rid, text, origin)


def _from_mapping(row: dict, origin: str, default_id: str, text_field: str, id_field: str) -> Record | BadRecord:
    raw_id = row.get(id_field)
    rid = default_id if raw_id is None or raw_id == "" else str(raw_id)
    if _SURROGATE.search(rid):
        return BadRecord(None, origin, f"field {id_field!r} is not valid UTF-8")
    if text_field not in row:
        present = ", ".join(sorted(map(str, row))) or "none"
        return BadRecord(rid, origin, f"missing field {text_field!r} (fields present: {_safe(present)})")
    text = row[text_field]
    if not isinstance(text, str):
        return BadRecord(rid, origin, f"field {text_field!r} is {type(text).__name__}, expected a string")
    if not text.strip():
        return BadRecord(rid, origin, f"field {text_field!r} is empty")
    if _SURROGATE.search(text):
        return BadRecord(rid, origin, f"field {text_field!r} is not valid UTF-8")
    return Record(rid, text, origin)


def _bounded_lines(stream: BinaryIO, max_bytes: int | None) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line) for every line; None instead of a line longer than max_bytes, unread."""
    limit = -1 if max_bytes is None else max_bytes + 1
    lineno = 0
    while True:
        line = stream.readline(limit)
        if not line:
            return
        lineno += 1
        if max_bytes is not None and len(line) > max_bytes and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = stream.readline(1 << 20)
            yield lineno, None
        else:
            yield lineno, line


def _jsonl_lines(
    lines: Iterator[tuple[int, bytes | None]], name: str, text_field: str, id_field: str, max_bytes: int | None
) -> Iterator[Record | BadRecord]:
    for lineno, raw in lines:
        origin = f"{name}:{lineno}"
        if raw is None:
            yield BadRecord(None, origin, f"too long: line over {max_bytes:,} bytes, more than max_chars allows; skipped unread")
            continue
        if not raw.strip():
            continue
        if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]  # a UTF-8 byte-order mark, as Windows tools write
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            yield BadRecord(None, origin, _decode_error(raw, e))
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            yield BadRecord(None, origin, f"invalid JSON: {e.msg} (column {e.colno})")
            continue
        except RecursionError:
            yield BadRecord(None, origin, "invalid JSON: nested too deeply")
            continue
        if not isinstance(row, dict):
            yield BadRecord(None, origin, f"expected a JSON object, got {type(row).__name__}")
            continue
        yield _from_mapping(row, origin, origin, text_field, id_field)


def _read_csv(path: str, text_field: str, id_field: str, max_chars: int | None) -> Iterator[Record | BadRecord]:
    # The field limit keeps one huge cell from being read whole (it counts characters).
    csv.field_size_limit(sys.maxsize if max_chars is None else max_chars + _ROW_SLACK_BYTES)
    # surrogateescape keeps going past bad bytes; _from_mapping then rejects just that row.
    # utf-8-sig: a byte-order mark must not become part of the first column's name.
    with open(path, encoding="utf-8-sig", errors="surrogateescape", newline="") as f:
        reader = csv.DictReader(f)
        try:
            if reader.fieldnames is None:
                return
        except csv.Error as e:
            yield BadRecord(None, f"{path}:1", f"unreadable CSV header: {e}")
            return
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                yield BadRecord(None, f"{path}:{reader.line_num}", f"unreadable CSV row: {e}")
                continue
            origin = f"{path}:{reader.line_num}"
            if None in row:
                rid = row.get(id_field)
                yield BadRecord(rid if rid and not _SURROGATE.search(rid) else None, origin,
                                "row has more cells than the header")
                continue
            yield _from_mapping(row, origin, origin, text_field, id_field)


def _read_stdin(
    stream: BinaryIO, text_field: str, id_field: str, max_bytes: int | None
) -> Iterator[Record | BadRecord]:
    """JSONL when the first non-blank byte is "{", else one article."""
    lines = _bounded_lines(stream, max_bytes)
    head: list[tuple[int, bytes | None]] = []
    for lineno, line in lines:
        head.append((lineno, line))
        if line is None or line.strip():
            break
    first = head[-1][1] if head else b""
    if first is not None and first.lstrip()[:1] == b"{":
        yield from _jsonl_lines(_chain(head, lines), "<stdin>", text_field, id_field, max_bytes)
        return
    if first is None:
        yield BadRecord("stdin", "<stdin>", f"too long: input over {max_bytes:,} bytes, more than max_chars allows")
        return
    data = b"".join(line for _, line in head if line is not None)
    data += stream.read(-1 if max_bytes is None else max_bytes + 1 - len(data))
    if max_bytes is not None and len(data) > max_bytes:
        yield BadRecord("stdin", "<stdin>", f"too long: input over {max_bytes:,} bytes, more than max_chars allows")
        return
    yield _text_record(data, "stdin", "<stdin>")


def _chain(head: list, rest: Iterator) -> Iterator:
    yield from head
    yield from rest


def _read_path(
    path: str, text_field: str, id_field: str, max_chars: int | None, stdin: BinaryIO | None
) -> Iterator[Record | BadRecord]:
    text_bytes = None if max_chars is None else 4 * max_chars + _ROW_SLACK_BYTES  # UTF-8: <= 4 bytes a char
    # JSON may spell a character as a 6-byte \\uXXXX escape.
    json_bytes = None if max_chars is None else 6 * max_chars + _ROW_SLACK_BYTES
    if path == STDIN:
        yield from _read_stdin(stdin or sys.stdin.buffer, text_field, id_field, json_bytes)
    elif path.lower().endswith(".jsonl"):
        with open(path, "rb") as f:
            yield from _jsonl_lines(_bounded_lines(f, json_bytes), path, text_field, id_field, json_bytes)
    elif path.lower().endswith(".csv"):
        yield from _read_csv(path, text_field, id_field, max_chars)
    else:
        rid = _safe(Path(path).stem)
        size = os.path.getsize(path)
        if text_bytes is not None and path.lower().endswith(PAGE_SUFFIXES):
            text_bytes *= PAGE_MARKUP_FACTOR  # a saved page is mostly markup (clean_text)
        if text_bytes is not None and size > text_bytes:
            yield BadRecord(rid, path, f"too long: file of {size:,} bytes, more than max_chars {max_chars:,} allows; skipped unread")
        else:
            yield _text_record(Path(path).read_bytes(), rid, path)


def sanitize_record(record: Record, *, max_chars: int | None = DEFAULT_MAX_CHARS) -> tuple[Record | BadRecord, tuple[str, ...]]:
    """The record with its text cleaned (`summarizer.text.cleaning.clean_text`), or why it was rejected.

    Returns (record or BadRecord, warnings about legal but suspicious text).
    """
    try:
        cleaned = clean_text(record.text, max_chars=max_chars)
    except RejectedText as e:
        return BadRecord(record.id, record.origin, str(e)), ()
    if cleaned.text == record.text:
        return record, cleaned.warnings
    return Record(record.id, cleaned.text, record.origin), cleaned.warnings


def read_records(
    inputs: Sequence[str],
    *,
    text_field: str = "article",
    id_field: str = "id",
    stdin: BinaryIO | None = None,
    max_chars: int | None = DEFAULT_MAX_CHARS,
    clean: bool = True,
) -> Iterator[Record | BadRecord]:
    """Yield every record of every input in order.

    .jsonl: one JSON object a line, text in `text_field`, id in `id_field` (default id
    "file:line"). .csv: a header row naming the fields. .txt, .html, .htm: the whole file is one
    article (a saved page: its article text, see `clean_text`), id the file name without suffix.
    "-": stdin, read as JSONL when it starts with "{", else as one article with id "stdin".

    max_chars: longest text accepted (None: no limit); longer ones become BadRecords.
    clean: run each text through `summarizer.text.cleaning.clean_text` (see that module for what
        it does); False passes texts through as read (still within max_chars).
    """
    warned = 0
    for path in expand_inputs(inputs):
        try:
            for item in _read_path(path, text_field, id_field, max_chars, stdin):
                if isinstance(item, Record):
                    if clean:
                        item, warnings = sanitize_record(item, max_chars=max_chars)
                        for warning in warnings:
                            warned += 1
                            if warned <= _MAX_LOGGED_WARNINGS:
                                logger.warning("%s: %s", _safe(item.origin), warning)
                            elif warned == _MAX_LOGGED_WARNINGS + 1:
                                logger.warning("more warnings about input text are not logged")
                    elif max_chars is not None and len(item.text) > max_chars:
                        item = BadRecord(item.id, item.origin, f"too long: {len(item.text):,} characters, over the "
                                         f"limit of {max_chars:,}")
                yield item if isinstance(item, Record) else BadRecord(item.id, _safe(item.origin), item.reason)
        except OSError as e:
            # An unreadable file (permissions, a vanished file, an I/O error) is that file's
            # records failing, not the whole job.
            yield BadRecord(None, _safe(path), f"cannot read: {e.strerror or e}")
