"""End-to-end: `main([...])` of each subcommand on tiny fixtures written to tmp_path."""

import json

import pytest

from eval.__main__ import main as dispatch
from eval.baselines import lead
from eval.normalize import main as normalize_main
from eval.summarize import main as summarize_main

NAMES = ["Alice Smith", "Bob Jones", "Carol White", "David Brown", "Erin Green", "Frank Black"]
CITIES = ["Paris", "Berlin", "Madrid", "Rome", "Vienna", "Prague"]


def _document(i: int) -> dict:
    name, city = NAMES[i], CITIES[i]
    sentences = [
        f"On Monday {name} opened a new library in {city} with {100 + i} books.",
        f"The library in {city} cost {i + 2} million euros and took three years to build.",
        f"Local officials said {name} had raised the money from {20 + i} donors.",
        f"Critics in {city} said the building was too small for the district.",
        f"The mayor of {city} thanked {name} at a ceremony on Friday.",
    ]
    reference = f"{name} opened a library in {city} with {100 + i} books . It cost {i + 2} million euros ."
    return {
        "id": f"doc-{i}",
        "dataset": "cnndm" if i % 2 == 0 else "xsum",
        "split": "test" if i < 4 else "valid",
        "article": " ".join(sentences),
        "references": [reference],
        "systems": {
            "peer_full": sentences[0] + " " + sentences[1],
            **({"peer_partial": reference} if i < 3 else {}),
        },
    }


@pytest.fixture
def summarization_data(tmp_path):
    path = tmp_path / "data.jsonl"
    path.write_text("\n".join(json.dumps(_document(i)) for i in range(6)) + "\n")
    return path


def _write_predictions(path, rows):
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def _row(metrics, name):
    return next(r for r in metrics["systems"] if r["name"] == name)


def test_summarize_end_to_end(tmp_path, summarization_data):
    docs = [_document(i) for i in range(6)]
    predictions = _write_predictions(
        tmp_path / "ours.jsonl", [{"id": d["id"], "summary": d["references"][0]} for d in docs]
    )
    out = tmp_path / "out"
    metrics = summarize_main(
        [
            "--data",
            str(summarization_data),
            "--system",
            f"oracle={predictions}",
            "--out",
            str(out),
            "--resamples",
            "200",
        ]
    )
    oracle = _row(metrics, "oracle")
    assert oracle["kind"] == "ours"
    assert oracle["rouge"]["rouge1"]["mean"] == pytest.approx(100.0)
    assert metrics["systems"][0]["name"] == "oracle"
    lead3 = _row(metrics, "lead-3")
    assert lead3["rouge"]["rouge1"]["mean"] > 40.0  # score floor
    assert (
        lead3["rouge"]["rouge1"]["low"]
        <= lead3["rouge"]["rouge1"]["mean"]
        <= lead3["rouge"]["rouge1"]["high"]
    )
    assert {r["name"] for r in metrics["systems"]} == {"oracle", "lead-1", "lead-3", "textrank", "peer_full"}
    assert "peer_partial" in metrics["skipped_peers"]
    assert lead3["faithfulness"]["number_precision"]["mean"] == 1.0
    assert lead3["faithfulness"]["entity_casing"] == "as written"
    assert metrics["versions"]["rouge-score"] == "0.1.2"
    assert len(metrics["pairwise"]["tests"]) == 5 * 4 // 2
    for name in ("metrics.json", "report.md", "per_document.jsonl", "config.json", "rouge_bars.png"):
        assert (out / name).is_file(), name
    report = (out / "report.md").read_text()
    assert "| 1 | **oracle** | ours |" in report and "Porter" in report
    assert json.loads((out / "metrics.json").read_text())["data"]["documents"] == 6

    again = summarize_main(
        [
            "--data",
            str(summarization_data),
            "--system",
            f"oracle={predictions}",
            "--out",
            str(tmp_path / "again"),
            "--resamples",
            "200",
            "--plots",
            "false",
        ]
    )
    assert again["systems"] == metrics["systems"]  # same seed, same numbers


def test_summarize_filters_and_model_with_stub(tmp_path, summarization_data):
    calls = []

    def stub(articles):
        calls.append(len(articles))
        return [lead(article, 2) for article in articles]

    out = tmp_path / "out"
    argv = [
        "--data",
        str(summarization_data),
        "--split",
        "test",
        "--dataset",
        "cnndm",
        "--model",
        "stub",
        "--model_name",
        "mine",
        "--batch_size",
        "1",
        "--out",
        str(out),
        "--plots",
        "false",
        "--resamples",
        "100",
    ]
    metrics = summarize_main(argv, predict_fn=stub)
    assert metrics["data"]["documents"] == 2  # doc-0 and doc-2
    assert _row(metrics, "mine")["rouge"]["rouge2"]["mean"] > 30.0
    assert "peer_partial" in {r["name"] for r in metrics["systems"]}  # covers both filtered docs
    saved = (out / "predictions" / "mine.jsonl").read_text().splitlines()
    assert [json.loads(line)["id"] for line in saved] == ["doc-0", "doc-2"]

    calls.clear()
    summarize_main(argv, predict_fn=stub)  # resumed: nothing left to predict
    assert calls == []


def test_model_predictions_resume_after_a_crash(tmp_path, summarization_data):
    def crashing(articles):
        if crashing.calls == 1:
            raise RuntimeError("out of memory")
        crashing.calls += 1
        return [lead(article, 1) for article in articles]

    crashing.calls = 0
    argv = [
        "--data",
        str(summarization_data),
        "--model",
        "stub",
        "--batch_size",
        "1",
        "--out",
        str(tmp_path),
        "--plots",
        "false",
        "--resamples",
        "50",
        "--baselines",
        "false",
        "--peers",
        "false",
    ]
    with pytest.raises(RuntimeError):
        summarize_main(argv, predict_fn=crashing)
    partial = (tmp_path / "predictions" / "summarizer.jsonl").read_text().splitlines()
    assert len(partial) == 4  # one chunk of batch_size * 4 documents was saved
    with open(tmp_path / "predictions" / "summarizer.jsonl", "a") as handle:
        handle.write('{"id": "doc-4", "summ')  # a torn line from the crash

    seen = []

    def recovering(articles):
        seen.extend(articles)
        return [lead(article, 1) for article in articles]

    metrics = summarize_main(argv, predict_fn=recovering)
    assert len(seen) == 2 and metrics["data"]["documents"] == 6


def test_missing_predictions_fail_clearly_or_are_dropped_on_request(tmp_path, summarization_data):
    predictions = _write_predictions(
        tmp_path / "ours.jsonl", [{"id": "doc-0", "summary": "Alice Smith opened it."}]
    )
    argv = [
        "--data",
        str(summarization_data),
        "--system",
        f"ours={predictions}",
        "--out",
        str(tmp_path / "o"),
        "--plots",
        "false",
        "--resamples",
        "50",
    ]
    with pytest.raises(ValueError, match="lacks predictions for 5 of 6 documents"):
        summarize_main(argv)
    metrics = summarize_main([*argv, "--allow-missing"])
    assert metrics["data"]["documents"] == 1 and metrics["data"]["allow_missing_dropped"] == 5


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--system", "broken"], "NAME=PREDICTIONS"),
        (["--system", "x=/nonexistent.jsonl"], "does not exist"),
        (["--split", "train"], "no record .* split='train'"),
        (["--system", "lead-3={pred}"], "used twice"),
    ],
)
def test_bad_input_raises_value_error(tmp_path, summarization_data, extra, message):
    predictions = _write_predictions(
        tmp_path / "p.jsonl", [{"id": f"doc-{i}", "summary": "x"} for i in range(6)]
    )
    extra = [e.replace("{pred}", str(predictions)) for e in extra]
    with pytest.raises(ValueError, match=message):
        summarize_main(
            ["--data", str(summarization_data), "--out", str(tmp_path / "o"), "--plots", "false", *extra]
        )


def test_normalize_end_to_end(tmp_path):
    targets = [
        "Gary Locke joined Kilmarnock in May .",
        "The club thanked Locke on Friday .",
        "Prices rose in Zürich .",
    ]
    data = tmp_path / "casing.jsonl"
    data.write_text(
        "".join(
            json.dumps({"id": f"r{i}", "input": t.lower(), "target": t, "kind": "k"}) + "\n"
            for i, t in enumerate(targets)
        )
    )
    oracle = _write_predictions(
        tmp_path / "o.jsonl", [{"id": f"r{i}", "output": t} for i, t in enumerate(targets)]
    )
    out = tmp_path / "out"
    metrics = normalize_main(
        [
            "--data",
            str(data),
            "--system",
            f"oracle={oracle}",
            "--model",
            "stub",
            "--model_name",
            "upper",
            "--out",
            str(out),
            "--resamples",
            "100",
        ],
        predict_fn=lambda texts: [t.upper() for t in texts],
    )
    by_name = {r["name"]: r for r in metrics["systems"]}
    assert by_name["oracle"]["accuracy"] == 1.0 and by_name["oracle"]["f1"] == 1.0
    assert by_name["oracle"]["changed_records"] == 0
    assert metrics["systems"][0]["name"] == "oracle"
    assert by_name["sentence-initial"]["precision"] == 1.0
    assert by_name["truecase"]["changed_records"] == 0
    assert by_name["upper"]["changed_records"] == 0 and by_name["upper"]["precision"] < 0.5
    assert (out / "report.md").is_file() and (out / "casing_bars.png").is_file()


def test_dispatch_runs_subcommands(tmp_path, summarization_data, capsys):
    dispatch([])
    assert "summarize" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="unknown command"):
        dispatch(["nope"])
    dispatch(
        [
            "summarize",
            "--data",
            str(summarization_data),
            "--limit",
            "2",
            "--out",
            str(tmp_path),
            "--plots",
            "false",
            "--resamples",
            "20",
            "--peers",
            "false",
        ]
    )
    assert json.loads((tmp_path / "metrics.json").read_text())["data"]["documents"] == 2


def test_summarize_from_one_json_config(tmp_path, summarization_data):
    config = tmp_path / "run.json"
    config.write_text(
        json.dumps(
            {
                "data": str(summarization_data),
                "out": str(tmp_path / "out"),
                "references": "all",
                "limit": 3,
                "plots": False,
                "resamples": 20,
                "peers": False,
            }
        )
    )
    metrics = summarize_main([str(config)])
    assert metrics["data"]["documents"] == 3
    assert metrics["settings"]["rouge"]["references"].startswith("all references")
    saved = json.loads((tmp_path / "out" / "config.json").read_text())
    assert saved["references"] == "all" and saved["command"] == "summarize"
