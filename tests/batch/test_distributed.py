"""Ray batch jobs on a local 2-CPU cluster: exactly once per id through bad input, a worker that
dies, a record that kills every worker it meets, and a driver killed mid-run.

The fast test is one Ray run (about 20 s on 2 busy cores, most of it starting actors that import
torch); the others are marked slow.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")

from summarizer import cli  # noqa: E402
from summarizer.batch.distributed import (  # noqa: E402
    ERRORS,
    MANIFEST,
    PartitionedOutput,
    RunOptions,
    read_output,
    run_distributed,
    summarize_dataset,
)
from summarizer.batch.jobs import SummarizeTask, Worker  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def ray_cluster():
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    if ray.is_initialized():  # another module's cluster
        yield ray.get_runtime_context().gcs_address
        return
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    # The fault-injecting tasks below live in this test module, which workers cannot import.
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    yield ray.get_runtime_context().gcs_address
    ray.shutdown()


@dataclass(frozen=True)
class CrashingTask:
    """A task whose worker process dies (os._exit) on a batch holding `trigger`.

    once: die only the first time (a marker file remembers it across the restart); else every time.
    """

    inner: SummarizeTask
    marker: str
    trigger: str = "CRASH-HERE"
    once: bool = True

    def load(self) -> Worker:
        worker = self.inner.load()

        def process(texts: list[str]) -> list[dict]:
            if any(self.trigger in t for t in texts) and not (self.once and os.path.exists(self.marker)):
                Path(self.marker).touch()
                os._exit(1)
            return worker.process(texts)

        return Worker(process, worker.cost)


def _articles(n: int) -> list[dict]:
    return [
        {"id": f"a{i:03d}", "article": f"Story {i}: the council met on Monday and approved {i} new homes. "
         f"Residents said the plan was overdue. A vote on the budget follows next week."}
        for i in range(n)
    ]


def _write_jsonl(path: Path, rows: list[dict], extra_lines: list[bytes] = ()) -> Path:
    with open(path, "wb") as f:
        for row in rows:
            f.write(json.dumps(row).encode() + b"\n")
        for line in extra_lines:
            f.write(line + b"\n")
    return path


def _ids(output_dir: Path) -> Counter:
    return Counter(row["id"] for row in read_output(output_dir))


def _errors(output_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (output_dir / ERRORS).read_text().splitlines()]


def test_bad_input_and_a_dying_worker_still_give_each_id_once(ray_cluster, tiny_causal_dir, tmp_path):
    rows = _articles(40)
    rows[7]["article"] += " CRASH-HERE"
    bad = [
        b'{"id": "broken", "article": "unterminated',
        b'{"id": "a003", "article": "a duplicate id"}',
        b'{"id": "blank", "article": " \\t "}',
        b'{"id": "nul", "article": "\\u0000\\u0001\\u0002\\u0003"}',
        b'{"id": "huge", "article": "' + b"x" * 5000 + b'"}',
        b'{"id": "page", "article": "<html><body><p>The bridge reopened on Tuesday after repairs.</p>'
        b'<script>alert(1)</script></body></html>"}',
        b'{"id": "wrong-field", "text": "Some text"}',
    ]
    src = _write_jsonl(tmp_path / "in.jsonl", rows, bad)
    out = tmp_path / "out"
    task = CrashingTask(SummarizeTask(model=str(tiny_causal_dir), style="extractive"), str(tmp_path / "crashed"))
    report = run_distributed(
        [str(src)], task, out, max_chars=2000, shard_size=8, max_batch_size=4, max_task_retries=2
    )
    assert (tmp_path / "crashed").exists(), "the worker never crashed: the test did not test recovery"
    ids = _ids(out)
    assert set(ids.values()) == {1}
    assert set(ids) == {r["id"] for r in rows} | {"page"}
    page = next(row for row in read_output(out) if row["id"] == "page")
    assert page["summary"] == "The bridge reopened on Tuesday after repairs."
    errors = {e["id"] or e["origin"].rsplit(":", 1)[1]: e["error"] for e in _errors(out)}
    assert errors["41"].startswith("invalid JSON")
    assert errors["a003"].startswith("duplicate id 'a003'")
    assert errors["blank"] == "field 'article' is empty"
    assert errors["nul"].startswith("looks like binary data")
    assert errors["huge"].startswith("too long: 5,000 characters, over the limit of 2,000")
    assert errors["wrong-field"].startswith("missing field 'article' (fields present: id, text)")
    assert len(errors) == 6
    assert (report.written, report.failed, report.lost_batches_records) == (41, 6, 0)
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["finished"] and manifest["rows"] == 41 and len(manifest["parts"]) == report.parts_written

    # A rerun finds everything done and starts no Ray work at all.
    again = run_distributed([str(src)], task, out, max_chars=2000)
    # The duplicate of a003 now meets a done id, so it counts as done, as in the CLI.
    assert (again.written, again.skipped_done, again.failed) == (0, 42, 5)
    assert _ids(out) == ids


def test_run_options_have_one_owner(tmp_path, monkeypatch):
    """The CLI builds a `RunOptions` from its flags; `run_distributed` takes one, or the same
    names as keywords; bad values and unknown names are refused before Ray starts."""
    import summarizer.batch.distributed as distributed

    seen = []

    def stand_in(inputs, task, out, options):
        seen.append(options)
        return distributed.DistributedReport(output_dir=str(out))

    monkeypatch.setattr(distributed, "run_distributed", stand_in)
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "article": "A short article."}) + "\n", encoding="utf-8")
    assert cli.main(["summarize", str(src), "--output", str(tmp_path / "out"), "--style", "extractive",
                     "--batch-size", "3", "--shard-size", "7", "--ray=auto", "--no-progress"]) == cli.EXIT_OK
    assert seen == [RunOptions(ray_address="auto", max_batch_size=3, shard_size=7, text_field="article")]
    assert seen[0].per_call == 12 and RunOptions(rows_per_call=5).per_call == 5
    with pytest.raises(ValueError, match="max_batch_size must be >= 1"):
        RunOptions(max_batch_size=0)
    with pytest.raises(TypeError, match="unknown options \\['batchsize'\\]"):
        run_distributed([str(src)], SummarizeTask(style="extractive"), tmp_path / "out", batchsize=2)


def test_output_folder_commits_whole_parts_and_refuses_a_second_writer(tmp_path):
    out = PartitionedOutput(tmp_path / "o")
    out.commit([("a", '{"id": "a", "summary": "x"}'), ("b", '{"id": "b", "summary": "y"}')])
    with pytest.raises(RuntimeError, match="another job is writing"):
        PartitionedOutput(tmp_path / "o")
    # A driver that died mid-write leaves only a temporary file, which the next run removes.
    (tmp_path / "o" / "_tmp" / "part-r0001-00001.jsonl").write_text('{"id": "c"')
    out.close()
    again = PartitionedOutput(tmp_path / "o")
    assert again.done == {"a", "b"} and again.run == 2
    assert not list((tmp_path / "o" / "_tmp").iterdir())
    again.close()
    (tmp_path / "o" / "part-r0002-00000.jsonl").write_text('{"id": "a"}\n')
    with pytest.raises(ValueError, match="repeats ids"):
        PartitionedOutput(tmp_path / "o")
    (tmp_path / "file").write_text("")
    with pytest.raises(ValueError, match="is a file"):
        PartitionedOutput(tmp_path / "file")


@pytest.mark.slow
def test_a_record_that_kills_every_worker_is_isolated_and_reported(ray_cluster, tiny_causal_dir, tmp_path):
    rows = _articles(24)
    rows[5]["article"] += " CRASH-HERE"
    src = _write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out"
    task = CrashingTask(
        SummarizeTask(model=str(tiny_causal_dir), style="extractive"), str(tmp_path / "m"), once=False
    )
    report = run_distributed([str(src)], task, out, max_task_retries=1, max_batch_size=4)
    ids = _ids(out)
    assert set(ids.values()) == {1} and set(ids) == {r["id"] for r in rows} - {"a005"}
    (error,) = _errors(out)
    assert error["id"] == "a005" and error["error"].startswith("lost: the worker died on this record 2 times")
    assert report.lost_batches_records == 1 and report.written == 23
    print(f"\npoison record: {report.written} written once each, 1 reported lost ({error['origin']})")


@pytest.mark.slow
def test_ray_dataset_input(ray_cluster, tiny_causal_dir, tmp_path):
    import ray.data

    items = [{"doc": i, "body": f"Story {i} about the harbour bridge and its repair budget this year."}
             for i in range(12)]
    items += [{"doc": 3, "body": "a duplicate"}, {"doc": 99, "body": None}, {"doc": 100, "body": "  "}]
    ds = ray.data.from_items(items)
    out = tmp_path / "out"
    report = summarize_dataset(ds, out, model=str(tiny_causal_dir), style="extractive", text_field="body",
                               id_field="doc")
    ids = _ids(out)
    assert set(ids.values()) == {1} and set(ids) == {str(i) for i in range(12)}
    reasons = sorted(reason for reason in report.reasons)
    assert reasons == ["duplicate id", "empty text", "field is missing"]
    again = summarize_dataset(ds, out, model=str(tiny_causal_dir), style="extractive", text_field="body",
                              id_field="doc")
    assert again.written == 0 and again.skipped_done == 13  # the duplicate of a done id counts as done
    with pytest.raises(ValueError, match="no 'id' column"):
        summarize_dataset(ds, tmp_path / "o2", model=str(tiny_causal_dir), style="extractive")


@pytest.mark.slow
def test_cli_ray(ray_cluster, tiny_causal_dir, tmp_path, capsys):
    src = _write_jsonl(tmp_path / "in.jsonl", _articles(10), [b"not json"])
    out = tmp_path / "out"
    args = ["summarize", str(src), "-o", str(out), "--ray", "--model", str(tiny_causal_dir),
            "--style", "headline_free", "--max-new-tokens", "4", "--no-progress"]
    assert cli.main(args) == cli.EXIT_RECORDS_FAILED
    assert "failed 1: 1 invalid JSON" in capsys.readouterr().err
    assert set(_ids(out).values()) == {1} and len(_ids(out)) == 10
    assert cli.main(args) == cli.EXIT_RECORDS_FAILED
    assert "wrote 0, skipped 10 already done" in capsys.readouterr().err
    wire = _write_jsonl(tmp_path / "wire.jsonl", [{"id": "w", "input": "the board met on monday ."}])
    code = cli.main(["normalize", str(wire), "-o", str(tmp_path / "cased"), "--ray", "--no-progress"])
    assert code == cli.EXIT_OK
    assert next(read_output(tmp_path / "cased"))["output"].startswith("The board met on Monday")


_DRIVER = textwrap.dedent(
    """
    import os, sys, time
    from dataclasses import dataclass
    from summarizer.batch.distributed import run_distributed
    from summarizer.batch.jobs import SummarizeTask, Worker

    @dataclass(frozen=True)
    class Slow:  # defined in __main__, so Ray ships it by value
        inner: SummarizeTask
        def load(self):
            worker = self.inner.load()
            def process(texts):
                time.sleep(0.5)
                return worker.process(texts)
            return Worker(process, worker.cost)

    src, out, model, address = sys.argv[1:]
    run_distributed([src], Slow(SummarizeTask(model=model, style="extractive")), out, ray_address=address,
                    shard_size=4, max_batch_size=2, rows_per_call=2, num_workers=1)
    """
)


@pytest.mark.slow
def test_driver_killed_mid_run_then_rerun_writes_each_id_once(ray_cluster, tiny_causal_dir, tmp_path):
    rows = _articles(60)
    src = _write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out"
    script = tmp_path / "driver.py"
    script.write_text(_DRIVER)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "RAY_USAGE_STATS_ENABLED": "0"}
    driver = subprocess.Popen(
        [sys.executable, str(script), str(src), str(out), str(tiny_causal_dir), ray_cluster],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and len(list(out.glob("part-*.jsonl"))) < 2:
            assert driver.poll() is None, "the driver finished or failed before it could be killed"
            time.sleep(0.2)
        os.killpg(driver.pid, signal.SIGKILL)
    finally:
        driver.wait()
    before = _ids(out)
    assert before and len(before) < len(rows), f"killed too late or too early: {len(before)} ids written"
    report = run_distributed(
        [str(src)], SummarizeTask(model=str(tiny_causal_dir), style="extractive"), out, shard_size=16
    )
    after = _ids(out)
    assert set(after.values()) == {1}, "an id was written twice"
    assert set(after) == {r["id"] for r in rows}
    assert report.skipped_done == len(before) and report.written == len(rows) - len(before)
    print(f"\ndriver killed after {len(before)} of {len(rows)} ids were committed; the rerun skipped "
          f"{report.skipped_done} and wrote {report.written}: {len(after)} ids, each exactly once")


@pytest.mark.slow
def test_bad_input_corpus_through_ray_matches_the_cli(ray_cluster, tiny_causal_dir, tmp_path):
    from test_robustness import bad_input_corpus

    paths, n_records, _ = bad_input_corpus(tmp_path)
    flags = ["--model", str(tiny_causal_dir), "--style", "headline_free", "--max-new-tokens", "4", "--no-progress"]
    assert cli.main(["summarize", *paths, "-o", str(tmp_path / "cli.jsonl"), *flags]) == cli.EXIT_RECORDS_FAILED
    assert cli.main(["summarize", *paths, "-o", str(tmp_path / "ray"), "--ray", *flags]) == cli.EXIT_RECORDS_FAILED
    local = sorted((tmp_path / "cli.jsonl").read_text(encoding="utf-8").splitlines())
    distributed = sorted(json.dumps(row, ensure_ascii=False) for row in read_output(tmp_path / "ray"))
    assert distributed == local
    local_errors = {line for line in (tmp_path / "cli.errors.jsonl").read_text(encoding="utf-8").splitlines()}
    ray_errors = set((tmp_path / "ray" / ERRORS).read_text(encoding="utf-8").splitlines())
    assert ray_errors == local_errors
    assert len(local) + len(local_errors) == n_records
    print(f"\nbad-input corpus (Ray): {n_records} records, {len(distributed)} written, {len(ray_errors)} errors, "
          "0 crashes, 0 lost; identical to the CLI")


def test_parquet_parts_commit_whole_and_resume(tmp_path):
    """Parquet parts: same exactly-once bookkeeping as jsonl; a folder may hold both formats."""
    out = PartitionedOutput(tmp_path / "o", "parquet")
    out.commit([("a", '{"id": "a", "summary": "x", "input_tokens": 3}'), ("b", '{"id": "b", "summary": "y", "input_tokens": 4}')])
    out.close()
    assert [p.name for p in (tmp_path / "o").glob("part-*")] == ["part-r0001-00000.parquet"]
    again = PartitionedOutput(tmp_path / "o", "jsonl")
    assert again.done == {"a", "b"} and again.run == 2
    again.commit([("c", '{"id": "c", "summary": "z", "input_tokens": 5}')])
    again.close()
    rows = list(read_output(tmp_path / "o"))
    assert [r["id"] for r in rows] == ["a", "b", "c"] and rows[0] == {"id": "a", "summary": "x", "input_tokens": 3}
    (tmp_path / "o" / "part-r0003-00000.parquet").write_bytes(b"PAR1 torn")
    with pytest.raises(ValueError, match="not a part this tool wrote"):
        PartitionedOutput(tmp_path / "o")
    with pytest.raises(ValueError, match="unknown output format"):
        PartitionedOutput(tmp_path / "p", "csv")


@pytest.mark.slow
def test_cli_ray_parquet(ray_cluster, tiny_causal_dir, tmp_path):
    src = _write_jsonl(tmp_path / "in.jsonl", _articles(6))
    out = tmp_path / "out"
    args = ["summarize", str(src), "-o", str(out), "--ray", "--model", str(tiny_causal_dir),
            "--style", "extractive", "--output-format", "parquet", "--no-progress"]
    assert cli.main(args) == cli.EXIT_OK
    assert sorted(p.suffix for p in out.glob("part-*")) == [".parquet"]
    assert sorted(r["id"] for r in read_output(out)) == sorted(a["id"] for a in _articles(6))
