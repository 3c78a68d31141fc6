"""Where things live on disk: the data root, the model cache, and atomic folder builds.

One definition of each, so the library, training, evaluation and the demo cannot disagree.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["REPO_ROOT", "building", "cache_dir", "data_root", "resolve_data_path"]

# The checkout the package was imported from (its parent holds `shared/` in this project's
# layout); meaningless for a wheel install, where SUMMARIZER_DATA must be set to use the data.
REPO_ROOT = Path(__file__).resolve().parent.parent


def data_root() -> Path:
    """`$SUMMARIZER_DATA`, else `shared/data` beside the repository."""
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


def cache_dir() -> Path:
    """Root folder for converted models; honours SUMMARIZER_CACHE and XDG_CACHE_HOME."""
    if os.environ.get("SUMMARIZER_CACHE"):
        return Path(os.environ["SUMMARIZER_CACHE"]).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "summarizer"


@contextlib.contextmanager
def building(target: Path) -> Iterator[Path]:
    """A temporary sibling of `target` to build a model folder in, renamed into place only when
    the block succeeds: an interrupted build never leaves a half-written folder that a later
    load would trust."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        yield tmp
        if target.exists():
            shutil.rmtree(target)
        tmp.rename(target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
