"""Cut one payload file into parts that each travel in one call, and put it together there.

Standard library only: on the GPU machine this runs before the kit's wheels are installed.

Layout written by `cut` under the kit folder (`.gpu/<name>/`):

    stage1/manifest.json, stage1/payload.part1, stage1/wheels/*.whl
    stage2/manifest.json, stage2/payload.part2
    ...

Each call carries one stage folder; `stage` copies its part into a work folder on the machine
(outside the checkout, so the next call's copy of the tree cannot touch it), and once every
part is there `assemble` joins them and checks the payload's SHA-256.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = ["MANIFEST", "Manifest", "Part", "assemble", "cut", "read_manifest", "sha256", "stage"]

MANIFEST = "manifest.json"
_CHUNK = 1 << 20


def sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class Part:
    file: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    name: str
    payload_size: int
    payload_sha256: str
    parts: tuple[Part, ...]
    run_args: tuple[str, ...] = ()

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=1) + "\n", encoding="utf-8")


def read_manifest(path: str | Path) -> Manifest:
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    parts = tuple(Part(**p) for p in raw.pop("parts"))
    return Manifest(parts=parts, run_args=tuple(raw.pop("run_args", ())), **raw)


def cut(payload: Path, kit_dir: Path, capacities: list[int], wheels: list[Path], run_args: list[str]) -> Manifest:
    """Write `payload` as parts into stage folders, part k no larger than `capacities[k-1]` (the
    first stage also carries the wheels, counted against its capacity). Raises if it does not fit."""
    size, digest = payload.stat().st_size, sha256(payload)
    wheel_bytes = sum(w.stat().st_size for w in wheels)
    room = [capacities[0] - wheel_bytes, *capacities[1:]]
    if min(room) <= 0 or sum(room) < size:
        raise ValueError(
            f"payload of {size / 2**20:.1f} MiB (+{wheel_bytes / 2**20:.1f} MiB wheels) does not fit "
            f"{len(capacities)} call(s) of {[round(c / 2**20, 1) for c in capacities]} MiB"
        )
    if kit_dir.exists():
        shutil.rmtree(kit_dir)
    parts: list[Part] = []
    with payload.open("rb") as source:
        for k, limit in enumerate(room, start=1):
            data = source.read(limit)
            if not data:
                break
            stage_dir = kit_dir / f"stage{k}"
            stage_dir.mkdir(parents=True)
            (stage_dir / f"payload.part{k}").write_bytes(data)
            parts.append(Part(f"payload.part{k}", len(data), hashlib.sha256(data).hexdigest()))
    manifest = Manifest(kit_dir.name, size, digest, tuple(parts), tuple(run_args))
    for k in range(1, len(parts) + 1):
        manifest.save(kit_dir / f"stage{k}" / MANIFEST)
    (kit_dir / "stage1" / "wheels").mkdir()
    for wheel in wheels:
        shutil.copy2(wheel, kit_dir / "stage1" / "wheels" / wheel.name)
    return manifest


def stage(kit_dir: Path, work_dir: Path) -> tuple[Manifest, list[str]]:
    """Copy the parts (and wheels) present under `kit_dir` into `work_dir`; returns the manifest
    and the parts still missing there."""
    manifests = sorted(kit_dir.glob(f"stage*/{MANIFEST}"))
    if not manifests:
        raise FileNotFoundError(f"{kit_dir} holds no stage folder with a {MANIFEST}: carry one (see `pack`)")
    manifest = read_manifest(manifests[0])
    parts_dir = work_dir / "parts"
    parts_dir.mkdir(parents=True, exist_ok=True)
    for found in manifests:
        if read_manifest(found) != manifest:
            raise ValueError(f"{found} belongs to another pack than {manifests[0]}; carry one pack's stages")
        for path in found.parent.iterdir():
            if path.name.startswith("payload.part"):
                shutil.copyfile(path, parts_dir / path.name)
            elif path.name == "wheels":
                shutil.copytree(path, work_dir / "wheels", dirs_exist_ok=True)
    missing = [p.file for p in manifest.parts if not _intact(parts_dir / p.file, p)]
    return manifest, missing


def _intact(path: Path, part: Part) -> bool:
    return path.is_file() and path.stat().st_size == part.size and sha256(path) == part.sha256


def assemble(manifest: Manifest, work_dir: Path) -> Path:
    """Join the staged parts into the payload and check it byte for byte (size and SHA-256)."""
    target = work_dir / "payload.tar.xz"
    with target.open("wb") as out:
        for part in manifest.parts:
            with (work_dir / "parts" / part.file).open("rb") as f:
                shutil.copyfileobj(f, out, _CHUNK)
    if target.stat().st_size != manifest.payload_size or sha256(target) != manifest.payload_sha256:
        raise ValueError(f"{target}: the joined parts do not match the packed payload (size or SHA-256)")
    return target
