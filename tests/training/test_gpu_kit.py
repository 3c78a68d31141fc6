"""The GPU kit without a GPU: staging, the payload format, the limits, and the whole loop (pack,
the run command in calls, import, load) on a tiny model on the CPU."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from training_helpers import ARTICLE

from summarizer import Summarizer
from training.examples import IGNORE_INDEX, Example
from training.gpu import environment, limits, payload, staging

REPO = Path(__file__).resolve().parents[2]


# ------------------------------------------------------------------------------ staging
def test_parts_staged_call_by_call_reassemble_byte_identical(tmp_path):
    blob = tmp_path / "payload.bin"
    blob.write_bytes(os.urandom(250_000))
    wheel = tmp_path / "w-1.0-py3-none-any.whl"
    wheel.write_bytes(b"wheel")
    kit = tmp_path / "kit" / "run1"
    manifest = staging.cut(blob, kit, [100_005, 100_000, 100_000], [wheel], ["--train_seconds", "5"])
    assert [p.size for p in manifest.parts] == [100_000, 100_000, 50_000]
    work = tmp_path / "work"
    for k, carried in enumerate(sorted(kit.iterdir()), start=1):  # one stage per call
        call = tmp_path / f"call{k}" / "run1"
        call.mkdir(parents=True)
        os.rename(carried, call / carried.name)
        _, missing = staging.stage(call, work)
        assert len(missing) == 3 - k
    assert (work / "wheels" / wheel.name).read_bytes() == b"wheel"
    assert staging.assemble(manifest, work).read_bytes() == blob.read_bytes()


def test_a_corrupt_part_counts_as_missing_and_a_short_payload_is_refused(tmp_path):
    blob = tmp_path / "payload.bin"
    blob.write_bytes(os.urandom(1000))
    manifest = staging.cut(blob, tmp_path / "kit", [600, 600], [], [])
    (tmp_path / "kit" / "stage2" / "payload.part2").write_bytes(b"x" * 400)
    _, missing = staging.stage(tmp_path / "kit", tmp_path / "work")
    assert missing == ["payload.part2"]
    with pytest.raises(ValueError, match="SHA-256"):
        staging.assemble(manifest, tmp_path / "work")
    with pytest.raises(ValueError, match="does not fit"):
        staging.cut(blob, tmp_path / "kit2", [400, 400], [], [])


# ------------------------------------------------------------------------------ payload and limits
@pytest.mark.parametrize("causal", [True, False])
def test_examples_round_trip(tmp_path, causal):
    if causal:
        examples = [Example("a", (5, 6, 7, 8), (IGNORE_INDEX, IGNORE_INDEX, 7, 8)), Example("b", (1, 2), (IGNORE_INDEX, 2))]
    else:
        examples = [Example("a", (5, 6, 7), (9, 10)), Example("b", (70_000, 2), (3,))]
    payload.save_examples(examples, tmp_path / "e.npz")
    assert payload.load_examples(tmp_path / "e.npz") == examples


def test_an_adapter_that_would_not_come_back_is_refused():
    # SmolLM2-135M, all-linear: q, k, v, o (grouped-query k/v), gate, up, down in each of 30 layers
    dims = [(576, 576), (576, 192), (576, 192), (576, 576), (576, 1536), (576, 1536), (1536, 576)] * 30
    assert limits.check_adapter_fits(dims, 16, 2) == 2 * 4_884_480  # the shipped adapter's parameters
    with pytest.raises(ValueError, match="lower lora_r"):
        limits.check_adapter_fits(dims, 32, 4)


def test_the_tree_size_counts_what_travels():
    size = limits.tree_bytes(REPO)
    assert (REPO / "README.md").stat().st_size < size < limits.TRAVEL_LIMIT


def test_old_packages_fail_at_once_with_a_message(monkeypatch):
    monkeypatch.setitem(environment.MINIMUM, "transformers", "999.0")
    with pytest.raises(environment.EnvironmentProblem, match=r"transformers .* older than the kit needs \(>= 999.0\)"):
        environment.check_environment(require_cuda=False)


# ------------------------------------------------------------------------------ the whole loop
def _config(tmp_path: Path, model_dir: Path, data_dir: Path, **extra) -> Path:
    config = {
        "model_name_or_path": str(model_dir), "data_dir": str(data_dir), "lora_r": 4, "merge": False,
        "tasks": ["highlights", "headline", "casing"], "num_train_examples": 12,
        "max_source_tokens": 300, "max_target_tokens": 96, "dev_examples_per_task": 1,
        "per_device_batch_size": 2, "gradient_accumulation_steps": 1, "num_train_epochs": 2.0,
        "logging_steps": 1, "save_steps": 0, "progress": False, **extra,
    }  # fmt: skip
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    return path


def _python(args: list[str], cwd: Path, env: dict) -> subprocess.CompletedProcess:
    # A process of its own, as on the machine: the run puts its staged base model on sys.path.
    return subprocess.run([sys.executable, "-m", "training.gpu", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)  # fmt: skip


def test_pack_run_in_two_calls_import_and_load(tiny_causal_dir, tiny_data_dir, tmp_path):
    from training.gpu.pack import pack

    fake_gguf = tmp_path / "base.gguf"  # the tiny run never loads the embedded base
    fake_gguf.write_bytes(os.urandom(40_000))
    config = _config(tmp_path, tiny_causal_dir, tiny_data_dir)
    manifest = pack(str(config), "tiny", tmp_path / "kits", REPO, 0, ["--train_seconds", "60"],
                    base=fake_gguf, capacity=30_000, with_wheels=False)  # fmt: skip
    assert len(manifest.parts) >= 2
    env = {**os.environ, "OUT": str(tmp_path / "out"), "SUMMARIZER_CACHE": str(tmp_path / "cache")}
    calls = sorted((tmp_path / "kits" / "tiny").iterdir())
    for k, stage_dir in enumerate(calls, start=1):
        carried = tmp_path / f"call{k}" / "tiny"  # the machine sees only this call's stage
        carried.mkdir(parents=True)
        os.rename(stage_dir, carried / stage_dir.name)
        done = _python(["run", "--kit", str(carried), "--work", str(tmp_path / "work"), "--allow_cpu",
                        "--skip_check", "--set", "learning_rate=0.001", "lora_dropout=0"], REPO, env)  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        assert ("still missing" in done.stdout) == (k < len(calls))
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == ["adapter.tar", "gpu_check.json", "metrics.json", "run.log",
                                                     "train_log.jsonl"]  # fmt: skip
    assert len(list(out.iterdir())) <= limits.RETURN_FILES
    assert all(p.stat().st_size <= limits.RETURN_FILE_LIMIT for p in out.iterdir())
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["settings"] == ["learning_rate=0.001", "lora_dropout=0"]
    assert metrics["plan"]["steps"] >= 1 and metrics["new"]["trainer_dev"]["tasks"] and metrics["start"]["studies"] == []
    log = [json.loads(line) for line in (out / "train_log.jsonl").read_text().splitlines()]
    assert log[0]["weights_dtype"] == "float32" and log[-1]["done"]

    from training.gpu.importing import import_run

    model_dir = import_run(out, tmp_path / "imported")
    loaded = Summarizer.from_pretrained(model_dir, device="cpu", backend="torch")
    assert loaded.summarize([ARTICLE], style="headline")[0].text is not None
    weights = dict(loaded.model.named_parameters())
    base = dict(Summarizer.from_pretrained(tiny_causal_dir, device="cpu", backend="torch").model.named_parameters())
    assert any(not torch.equal(weights[n], base[n]) for n in base), "the trained adapter changed nothing"


def test_pack_refuses_an_adapter_too_big_to_return_before_encoding(tiny_causal_dir, tiny_data_dir, tmp_path):
    from training.gpu.pack import pack

    config = _config(tmp_path, tiny_causal_dir, tiny_data_dir, lora_r=8192)
    with pytest.raises(ValueError, match="would not come back"):
        pack(str(config), "big", tmp_path / "kits", REPO, 0, [], base=config, with_wheels=False)
    assert not (tmp_path / "kits" / "big").exists()
