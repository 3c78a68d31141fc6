"""A read-only string -> counts mapping that loads fast: the casing tables' big dictionaries.

A JSON object of ~1M keys, each holding a short list of counts, takes ~3 s to parse and build;
the same data as one newline-joined string of keys, one digit string of list lengths and one flat
list of counts loads in a fifth of that, and a lookup slices the flat list. Written inside the
tables' gzip JSON (no pickle, `write_json_gz`): `{"keys": "a b\\nc d", "lengths": "24", "values": [3, 1, 0, 5, 2, 0]}`.
"""

from __future__ import annotations

import gzip
import itertools
import json
from collections.abc import Iterator, Mapping
from pathlib import Path

__all__ = ["PackedCounts", "pack", "unpack", "write_json_gz"]


def write_json_gz(path: str | Path, payload: object) -> None:
    """Write compact JSON, gzip-compressed with a fixed timestamp so rebuilds are byte-identical."""
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
    with open(path, "wb") as raw, gzip.GzipFile("", "wb", 9, raw, mtime=0) as f:
        f.write(data)


class PackedCounts(Mapping[str, list[int]]):
    """`{key: counts}` stored flat; equal to the dict it was packed from."""

    def __init__(self, keys: list[str], lengths: list[int], values: list[int]):
        if len(keys) != len(lengths) or sum(lengths) != len(values):
            raise ValueError(
                f"packed counts do not line up: {len(keys)} keys, {len(lengths)} lengths, "
                f"{sum(lengths)} counts expected, {len(values)} found"
            )
        self._values = values
        self._index = dict(zip(keys, zip(itertools.accumulate(lengths, initial=0), lengths, strict=False), strict=False))

    @classmethod
    def from_dict(cls, table: Mapping[str, list[int]]) -> PackedCounts:
        return cls(list(table), [len(v) for v in table.values()], [x for v in table.values() for x in v])

    def __getitem__(self, key: str) -> list[int]:
        start, length = self._index[key]
        return self._values[start : start + length]

    def get(self, key: str, default=None):
        found = self._index.get(key)
        if found is None:
            return default
        return self._values[found[0] : found[0] + found[1]]

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


def pack(table: Mapping[str, list[int]]) -> dict:
    """The JSON form of `table` (lengths must be < 10: lists of forms or patterns)."""
    if any(len(v) > 9 for v in table.values()):
        raise ValueError("pack stores each list length as one digit: lists must be shorter than 10")
    return {
        "keys": "\n".join(table),
        "lengths": "".join(str(len(v)) for v in table.values()),
        "values": [x for v in table.values() for x in v],
    }


def unpack(payload: dict) -> PackedCounts:
    """Read what `pack` wrote."""
    keys = payload["keys"].split("\n") if payload["keys"] else []
    return PackedCounts(keys, list(map(int, payload["lengths"])), payload["values"])
