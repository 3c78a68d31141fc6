"""Every entry point runs the normalize method it is asked for, through the one owner.

Each method's implementation in `summarizer.casing.normalize` is replaced by a marker that
writes the text in a case only that method would give (and records the call), so a caller that
routes "generate" to the statistical path (the bug of issue 23) fails here. The Python API, the
`Summarizer` method, the CLI, a batch job and the demo's handler run in this process; Ray
workers get the same `NormalizeTask` (tests/batch/test_distributed.py).
"""

from __future__ import annotations

import asyncio
import json

import pytest

from summarizer.casing import normalize as owner
from summarizer.config import NORMALIZE_METHODS

TEXT = "the council met on monday ."
MARK = {"statistical": str.upper, "tagger": str.capitalize, "model": str.title, "generate": str.swapcase}
MODEL_FREE = ("statistical", "tagger")


@pytest.fixture
def calls(monkeypatch) -> list[str]:
    seen: list[str] = []

    def marker(method):
        def run(*args, **kwargs):
            seen.append(method)
            texts = next(a for a in args if isinstance(a, list) and a and isinstance(a[0], str))
            return [MARK[method](t) for t in texts]

        return run

    monkeypatch.setattr(owner, "_statistical", marker("statistical"))
    monkeypatch.setattr(owner, "_tagged", marker("tagger"))
    monkeypatch.setattr(owner, "_check_with_model", marker("model"))
    monkeypatch.setattr(owner, "_generate_with_model", marker("generate"))
    return seen


@pytest.fixture(scope="module")
def tiny(tiny_causal_dir):
    from summarizer import Summarizer

    model = Summarizer.from_pretrained(tiny_causal_dir)
    model.test_path = str(tiny_causal_dir)  # where the CLI and batch jobs load it from
    return model


def _python_api(method, tiny, tmp_path, monkeypatch):
    import summarizer

    monkeypatch.setattr(summarizer, "_default", lambda: tiny)
    return summarizer.normalize([TEXT], method=method, detokenize=False)[0].text


def _summarizer_method(method, tiny, tmp_path, monkeypatch):
    return tiny.normalize([TEXT], method=method, detokenize=False)[0].text


def _cli(method, tiny, tmp_path, monkeypatch):
    from summarizer import cli

    src, out = tmp_path / "wire.txt", tmp_path / f"{method}.jsonl"
    src.write_text(TEXT)
    args = ["normalize", str(src), "-o", str(out), "--method", method, "--keep-tokenization", "--no-progress"]
    assert cli.main([*args, "--model", tiny.test_path] if method not in MODEL_FREE else args) == cli.EXIT_OK
    (row,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert row["method"] == method
    return row["output"]


def _batch(method, tiny, tmp_path, monkeypatch):
    from summarizer.batch.jobs import NormalizeTask

    task = NormalizeTask(method=method, detokenize=False, model=None if method in MODEL_FREE else tiny.test_path)
    (row,) = task.load().process([TEXT])
    assert row["method"] == method
    return row["output"]


def _demo(method, tiny, tmp_path, monkeypatch):
    """The demo's handler, through the service it is mounted on (the HTTP API's path)."""
    pytest.importorskip("gradio")
    from summarizer.demo import handlers
    from summarizer.serve.service import Service

    async def run():
        service = Service(tiny)
        service.start()
        try:
            return (await handlers.normalize_text(service, TEXT, method, "none", False))[0]
        finally:
            await service.stop()

    return asyncio.run(run())


ENTRY_POINTS = {
    "python api": _python_api,
    "Summarizer.normalize": _summarizer_method,
    "cli": _cli,
    "batch job": _batch,
    "demo": _demo,
}


@pytest.mark.parametrize("method", NORMALIZE_METHODS)
@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
def test_each_entry_point_runs_the_method_it_is_asked_for(entry, method, calls, tiny, tmp_path, monkeypatch):
    output = ENTRY_POINTS[entry](method, tiny, tmp_path, monkeypatch)
    assert calls == [method]
    assert output == MARK[method](TEXT)


def test_model_methods_need_a_model():
    with pytest.raises(ValueError, match="pass model="):
        owner.normalize([TEXT], method="generate")


def _summary_of_wire(entry, method, tiny, tmp_path):
    """The extractive summary (no model call: the text as prepared) of wire copy, `method` casing it."""
    if entry == "Summarizer.summarize":
        (summary,) = tiny.summarize([TEXT], style="extractive", input_format="wire", wire_casing=method)
        return summary.text
    if entry == "batch job":
        from summarizer.batch.jobs import SummarizeTask

        task = SummarizeTask(model=tiny.test_path, style="extractive", input_format="wire", wire_casing=method)
        (row,) = task.load().process([TEXT])
        return row["summary"]
    from summarizer import cli

    src, out = tmp_path / "wire.txt", tmp_path / f"{method}.jsonl"
    src.write_text(TEXT)
    args = ["summarize", str(src), "-o", str(out), "--style", "extractive", "--input-format", "wire"]
    assert cli.main([*args, "--wire-casing", method, "--model", tiny.test_path, "--no-progress"]) == cli.EXIT_OK
    (row,) = [json.loads(line) for line in out.read_text().splitlines()]
    return row["summary"]


@pytest.mark.parametrize("method", NORMALIZE_METHODS)
@pytest.mark.parametrize("entry", ["Summarizer.summarize", "batch job", "cli"])
def test_summarize_cases_wire_copy_with_the_method_it_is_asked_for(entry, method, calls, tiny, tmp_path):
    assert _summary_of_wire(entry, method, tiny, tmp_path) == MARK[method]("the council met on monday") + "."
    assert calls == [method]


def test_summarize_refuses_an_unknown_wire_casing(tiny):
    from summarizer.batch.jobs import SummarizeTask
    from summarizer.config import SummarizerConfig

    with pytest.raises(ValueError, match="wire_casing"):
        tiny.summarize([TEXT], wire_casing="truecase")
    with pytest.raises(ValueError, match="wire_casing"):
        SummarizeTask(wire_casing="truecase")
    with pytest.raises(ValueError, match="wire_casing"):
        SummarizerConfig(wire_casing="truecase")
