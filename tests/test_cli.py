"""`summarizer summarize` end to end on the tiny decoder-only model: formats, bad records, resume."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from summarizer import cli
from summarizer.batch.jobs import ResumableJsonlWriter, errors_path_for
from summarizer.batch.records import BadRecord, Record, read_records


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _run(tiny_causal_dir, *args: str) -> int:
    return cli.main(["summarize", *args, "--model", str(tiny_causal_dir), "--no-progress"])


@pytest.fixture()
def mixed_jsonl(tmp_path, example_articles) -> Path:
    path = tmp_path / "in.jsonl"
    with open(path, "wb") as f:
        for i, article in enumerate(example_articles):
            f.write(json.dumps({"id": f"a{i}", "article": article}).encode() + b"\n")
        f.write(b'{"id": "no-text", "body": "wrong field"}\n')
        f.write(b'{"id": "blank", "article": "   "}\n')
        f.write(b'{"id": "broken", "article": "unterminated\n')
        f.write(b'{"id": "latin1", "article": "caf\xe9"}\n')
        f.write(b'{"id": "a0", "article": "duplicate id"}\n')
        f.write(b"\n")
        f.write(b'["not", "an", "object"]\n')
        f.write(b'{"article": "No id here, so the line number is the id."}\n')
    return path


def test_bad_records_are_reported_and_the_run_goes_on(tiny_causal_dir, tmp_path, mixed_jsonl):
    out = tmp_path / "out.jsonl"
    assert _run(tiny_causal_dir, str(mixed_jsonl), "-o", str(out)) == cli.EXIT_RECORDS_FAILED
    rows = _lines(out)
    assert sorted(r["id"] for r in rows) == sorted(["a0", "a1", "a2", "a3", f"{mixed_jsonl}:12"])
    assert all(r["style"] == "highlights" and isinstance(r["summary"], str) for r in rows)
    errors = {e["origin"].rsplit(":", 1)[1]: e["error"] for e in _lines(errors_path_for(out))}
    assert errors["5"].startswith("missing field 'article' (fields present: body, id)")
    assert errors["6"] == "field 'article' is empty"
    assert errors["7"].startswith("invalid JSON")
    assert errors["8"].startswith("invalid UTF-8")
    assert errors["9"].startswith("duplicate id 'a0'")
    assert errors["11"] == "expected a JSON object, got list"
    assert len(errors) == 6


def test_rerun_resumes_and_never_duplicates(tiny_causal_dir, tmp_path, example_articles):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": i, "article": a}) + "\n" for i, a in enumerate(example_articles)))
    out = tmp_path / "out.jsonl"
    assert _run(tiny_causal_dir, str(src), "-o", str(out), "--batch-size", "2") == cli.EXIT_OK
    full = _lines(out)
    # Simulate a crash: one finished line survives, the next was torn mid-write.
    first, second = out.read_text().splitlines()[:2]
    out.write_text(first + "\n" + second[:15])
    assert _run(tiny_causal_dir, str(src), "-o", str(out), "--batch-size", "2") == cli.EXIT_OK
    resumed = _lines(out)
    assert sorted(r["id"] for r in resumed) == ["0", "1", "2", "3"]
    assert {r["id"]: r["summary"] for r in resumed} == {r["id"]: r["summary"] for r in full}
    # A third run has nothing left to do.
    assert _run(tiny_causal_dir, str(src), "-o", str(out)) == cli.EXIT_OK
    assert len(_lines(out)) == 4


def test_csv_txt_folder_and_style(tiny_causal_dir, tmp_path, example_articles):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "one.txt").write_text(example_articles[0])
    (docs / "two.txt").write_text(example_articles[1])
    csv_path = tmp_path / "in.csv"
    csv_path.write_text('doc,text\nc1,"' + example_articles[2] + '"\nc2,""\n')
    out = tmp_path / "out.jsonl"
    code = _run(
        tiny_causal_dir, str(docs), str(csv_path), "-o", str(out), "--text-field", "text",
        "--id-field", "doc", "--style", "headline",
    )
    assert code == cli.EXIT_RECORDS_FAILED  # c2 is empty
    assert sorted(r["id"] for r in _lines(out)) == ["c1", "one", "two"]
    assert {r["style"] for r in _lines(out)} == {"headline"}
    assert [e["id"] for e in _lines(errors_path_for(out))] == ["c2"]


def test_usage_errors_exit_2(tiny_causal_dir, tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    assert _run(tiny_causal_dir, str(tmp_path / "missing.jsonl"), "-o", str(out)) == cli.EXIT_USAGE
    assert "does not exist" in capsys.readouterr().err
    bad = tmp_path / "doc.pdf"
    bad.write_bytes(b"%PDF")
    assert _run(tiny_causal_dir, str(bad), "-o", str(out)) == cli.EXIT_USAGE
    src = tmp_path / "in.txt"
    src.write_text("Some article text.")
    assert _run(tiny_causal_dir, str(src), "-o", str(out), "--style", "poem") == cli.EXIT_USAGE
    with pytest.raises(SystemExit):
        cli.main(["summarize", str(src)])  # --output is required


def test_stdin_text_and_jsonl():
    text = list(read_records(["-"], stdin=io.BytesIO(b"Plain article text.\nSecond line.")))
    assert text == [Record("stdin", "Plain article text.\nSecond line.", "<stdin>")]
    rows = list(read_records(["-"], stdin=io.BytesIO(b'{"id": 1, "article": "x"}\n{"id": 2}\n')))
    assert rows[0] == Record("1", "x", "<stdin>:1")
    assert isinstance(rows[1], BadRecord) and rows[1].id == "2"


def test_writer_refuses_a_foreign_file(tmp_path):
    path = tmp_path / "out.jsonl"
    path.write_text("this is not json\n")
    with pytest.raises(ValueError, match="not a line this tool wrote"):
        ResumableJsonlWriter(path)


def test_normalize_statistical_without_a_model(tmp_path):
    src = tmp_path / "wire.jsonl"
    rows = [
        {"id": "w1", "input": "kheyon rasheed told the state - run iraqiyya television on monday ."},
        {"id": "w2", "input": ""},
    ]
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "cased.jsonl"
    code = cli.main(["normalize", str(src), "-o", str(out), "--keep-tokenization", "--no-progress"])
    assert code == cli.EXIT_RECORDS_FAILED
    (row,) = _lines(out)
    assert row["id"] == "w1" and row["output"].lower() == rows[0]["input"]
    assert row["output"].startswith("Kheyon Rasheed")
    out2 = tmp_path / "detok.jsonl"
    cli.main(["normalize", str(src), "-o", str(out2), "--no-progress", "--headline", "title"])
    assert "State-Run" in _lines(out2)[0]["output"]


def test_normalize_with_the_model(tiny_causal_dir, tmp_path):
    src = tmp_path / "wire.txt"
    src.write_text("the council met on monday .")
    out = tmp_path / "cased.jsonl"
    code = cli.main([
        "normalize", str(src), "-o", str(out), "--method", "model", "--model", str(tiny_causal_dir),
        "--keep-tokenization", "--no-progress",
    ])
    assert code == cli.EXIT_OK
    assert _lines(out)[0]["output"].lower() == "the council met on monday ."


def test_a_setting_the_style_cannot_honour_is_a_usage_error(tiny_causal_dir, tmp_path, mixed_jsonl, capsys):
    out = tmp_path / "out.jsonl"
    assert _run(tiny_causal_dir, str(mixed_jsonl), "-o", str(out), "--num-beams", "4") == cli.EXIT_USAGE
    assert "style 'highlights' copies whole article sentences" in capsys.readouterr().err
    assert not out.exists()
    assert _run(tiny_causal_dir, str(mixed_jsonl), "-o", str(out), "--style", "headline_free", "--num-beams", "2") == (
        cli.EXIT_RECORDS_FAILED
    )


def test_any_generation_setting_can_be_set(tiny_causal_dir, tmp_path, example_articles, capsys):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": str(i), "article": a}) + "\n" for i, a in enumerate(example_articles[:2])))
    out = tmp_path / "out.jsonl"
    assert _run(tiny_causal_dir, str(src), "-o", str(out), "--style", "headline_free",
                "--set", "copy_names=true", "rewrite_rejected=true") == cli.EXIT_OK
    assert len(out.read_text().splitlines()) == 2
    assert _run(tiny_causal_dir, str(src), "-o", str(tmp_path / "x.jsonl"), "--set", "copy_nams=1") == cli.EXIT_USAGE
    assert "copy_names" in capsys.readouterr().err  # the message lists the valid names
    # A null is kept: it switches the headline's unsure rewrite off (it was dropped as "unset").
    args = cli.build_parser().parse_args(["summarize", str(src), "-o", str(out), "--set", "rewrite_unsure=null"])
    assert ("rewrite_unsure", None) in cli._summarize_task(args).overrides
