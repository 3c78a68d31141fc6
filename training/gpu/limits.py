"""The lent GPU machine's transfer limits, and the checks that keep a run inside them.

Checked here, before anything travels: each call's carried files plus the working tree stay under
the travel limit, and the adapter the run will return fits one returned file.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

__all__ = [
    "MIB",
    "RETURN_FILE_LIMIT",
    "RETURN_FILES",
    "TRAVEL_LIMIT",
    "adapter_bytes",
    "check_adapter_fits",
    "tree_bytes",
]

MIB = 1 << 20
TRAVEL_LIMIT = 64 * MIB  # the working tree plus carried paths, per call
RETURN_FILE_LIMIT = 16 * MIB  # one file back from $OUT
RETURN_FILES = 8
# Room kept free in each call: files written between `pack` and the call, rounding, tar headers.
TRAVEL_MARGIN = 3 * MIB


def tree_bytes(repo: str | Path) -> int:
    """Bytes of what travels with every call: tracked files and untracked files git does not ignore."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=repo, capture_output=True, check=True,
    ).stdout.split(b"\0")  # fmt: skip
    total = 0
    for name in filter(None, listed):
        path = Path(repo) / name.decode()
        if path.is_file() and not path.is_symlink():
            total += path.stat().st_size
    return total


def adapter_bytes(hidden_dims: list[tuple[int, int]], rank: int, bytes_per_weight: int) -> int:
    """Size of a LoRA adapter's weights: A (r x in) and B (out x r) for each adapted layer."""
    return sum(rank * (fan_in + fan_out) for fan_in, fan_out in hidden_dims) * bytes_per_weight


def check_adapter_fits(hidden_dims: list[tuple[int, int]], rank: int, bytes_per_weight: int) -> int:
    """The adapter's size, or ValueError when it could not come back as one returned file."""
    size = adapter_bytes(hidden_dims, rank, bytes_per_weight)
    # The returned archive also holds the tokenizer and settings (~3.5 MB).
    if size + 4 * MIB > RETURN_FILE_LIMIT:
        raise ValueError(
            f"a rank-{rank} adapter on {len(hidden_dims)} layers is {size / MIB:.1f} MiB; with the tokenizer "
            f"it would not come back as one file of {RETURN_FILE_LIMIT // MIB} MiB: lower lora_r or the targets"
        )
    return size
