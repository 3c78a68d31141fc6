"""Researchers' own data: any source format, any prediction format, `eval.score` from Python.

Tiny local datasets in each format (csv, jsonl, parquet, a save_to_disk folder, a folder loaded
by name through `datasets.load_dataset`); ROUGE must equal rouge-score computed directly.
"""

from __future__ import annotations

import json
import logging

import pytest
from rouge_score import rouge_scorer

from eval import score
from eval.leaderboard import SystemResult, leaderboard_rows
from eval.normalize import main as normalize_main
from eval.summarize import main as summarize_main
from summarizer.text.sentences import split_sentences

ARTICLES = [
    "Alice Smith opened a library in Paris on Monday. It holds 100 books. The mayor came.",
    "Bob Jones won the race in Berlin. He trained for three years. Fans cheered loudly.",
    "Carol White sold her company in Madrid. The deal was worth 2 million euros. Staff were told on Friday.",
    "David Brown climbed the highest peak in Rome's region. It took him nine hours. He plans another climb.",
]
REFS_A = [
    "Alice Smith opened a Paris library with 100 books.",
    "Bob Jones won the Berlin race after three years of training.",
    "Carol White sold her Madrid company for 2 million euros.",
    "David Brown climbed a peak in nine hours.",
]
REFS_B = [
    "A new library opened in Paris.",
    "Bob Jones won in Berlin.",
    "A Madrid company was sold.",
    "A climber reached the top.",
]
HYPOS = [
    "Alice Smith opened a library in Paris. It holds 100 books.",
    "Bob Jones won the race in Berlin.",
    "Carol White sold her company. The deal was worth 2 million euros.",
    "David Brown climbed a peak.",
]
IDS = ["a1", "b2", "c3", "d4"]
RESAMPLES = ["--resamples", "50", "--plots", "false", "--baselines", "false", "--peers", "false"]


def direct_rouge(hypos, references, mode="first"):
    """rouge-score itself: Lsum over newline-joined sentences; max F over references for 'all'."""
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL", "rougeLsum"], use_stemmer=True)
    totals = dict.fromkeys(["rouge1", "rouge2", "rougeL", "rougeLsum"], 0.0)
    for hypo, refs in zip(hypos, references, strict=True):
        refs = refs[:1] if mode == "first" else refs
        scores = [scorer.score("\n".join(split_sentences(r)), "\n".join(split_sentences(hypo))) for r in refs]
        for key in totals:
            totals[key] += max(s[key].fmeasure for s in scores)
    return {key: 100 * value / len(hypos) for key, value in totals.items()}


def _rows():
    return [
        {"doc_id": i, "article": a, "ref_a": ra, "ref_b": rb}
        for i, a, ra, rb in zip(IDS, ARTICLES, REFS_A, REFS_B, strict=True)
    ]


@pytest.fixture
def sources(tmp_path):
    """The same four documents as csv, jsonl (with a list column), parquet and save_to_disk."""
    import datasets

    table = datasets.Dataset.from_list(_rows())
    paths = {"csv": tmp_path / "data.csv", "parquet": tmp_path / "data.parquet"}
    table.to_csv(str(paths["csv"]), index=False)
    table.to_parquet(str(paths["parquet"]))
    paths["jsonl"] = tmp_path / "data.jsonl"
    paths["jsonl"].write_text(
        "".join(
            json.dumps({"doc_id": r["doc_id"], "article": r["article"], "refs": [r["ref_a"], r["ref_b"]]})
            + "\n"
            for r in _rows()
        )
    )
    paths["disk"] = tmp_path / "saved"
    datasets.DatasetDict({"test": table, "train": table.select([0])}).save_to_disk(str(paths["disk"]))
    return paths


@pytest.fixture
def hypo(tmp_path):
    path = tmp_path / "test.hypo"
    path.write_text("\n".join(HYPOS) + "\n", encoding="utf-8")
    return path


def _mine(metrics):
    return next(r for r in metrics["systems"] if r["name"] == "mine")


def _columns(kind):
    if kind == "jsonl":
        return ["--summary_column", "refs"]
    return ["--summary_column", "ref_a", "ref_b"]


@pytest.mark.parametrize("kind", ["csv", "jsonl", "parquet", "disk"])
def test_every_source_format_gives_rouge_score_numbers(kind, sources, hypo, tmp_path):
    split = ["--split", "test"] if kind == "disk" else []
    metrics = summarize_main(
        [
            "--data",
            str(sources[kind]),
            *split,
            "--id_column",
            "doc_id",
            *_columns(kind),
            "--references",
            "all",
        ]
        + ["--system", f"mine={hypo}", "--out", str(tmp_path / "out"), *RESAMPLES]
    )
    expected = direct_rouge(HYPOS, list(zip(REFS_A, REFS_B, strict=True)), mode="all")
    for key, value in expected.items():
        assert _mine(metrics)["rouge"][key]["mean"] == pytest.approx(value, abs=1e-9), key
    assert metrics["data"]["ids"] == IDS and metrics["data"]["documents"] == 4


def test_csv_with_baselines_first_reference_and_a_column_of_predictions(sources, tmp_path):
    import datasets

    table = tmp_path / "preds.csv"
    datasets.Dataset.from_list([{"generated": h} for h in HYPOS]).to_csv(str(table), index=False)
    out = tmp_path / "out"
    metrics = summarize_main(
        ["--data", str(sources["csv"]), "--text_column", "article", "--summary_column", "ref_a"]
        + ["--system", f"mine={table}:generated", "--out", str(out), "--resamples", "50", "--plots", "false"]
    )
    expected = direct_rouge(HYPOS, [[r] for r in REFS_A])
    assert _mine(metrics)["rouge"]["rougeLsum"]["mean"] == pytest.approx(expected["rougeLsum"])
    assert {r["name"] for r in metrics["systems"]} == {"mine", "lead-1", "lead-3", "textrank"}
    assert metrics["data"]["ids"] == ["0", "1", "2", "3"]  # no id column: row numbers
    report = (out / "report.md").read_text()
    for setting in ("rouge-score 0.1.2", "Porter", "newlines", "not rougeLsum", "first reference", "seed 0"):
        assert setting in report, setting


def test_dataset_by_name_goes_through_load_dataset(sources, hypo, tmp_path):
    """The hub code path (`load_dataset(name, config, split=...)`), fed a local folder of csv files."""
    folder = tmp_path / "local_dataset"
    folder.mkdir()
    (folder / "test.csv").write_text(sources["csv"].read_text())
    metrics = summarize_main(
        [
            "--dataset_name",
            str(folder),
            "--split",
            "test",
            "--id_column",
            "doc_id",
            "--summary_column",
            "ref_a",
        ]
        + ["--system", f"mine={hypo}", "--out", str(tmp_path / "out"), *RESAMPLES]
    )
    assert _mine(metrics)["rouge"]["rouge1"]["mean"] == pytest.approx(
        direct_rouge(HYPOS, [[r] for r in REFS_A])["rouge1"]
    )


def test_several_systems_and_jsonl_predictions(sources, hypo, tmp_path):
    jsonl = tmp_path / "lead.jsonl"
    jsonl.write_text(
        "".join(
            json.dumps({"id": i, "summary": a.split(". ")[0] + "."}) + "\n"
            for i, a in zip(IDS, ARTICLES, strict=True)
        )
    )
    metrics = summarize_main(
        ["--data", str(sources["csv"]), "--id_column", "doc_id", "--summary_column", "ref_a"]
        + ["--system", f"mine={hypo}", "--system", f"first={jsonl}", "--out", str(tmp_path / "o"), *RESAMPLES]
    )
    assert {r["name"] for r in metrics["systems"]} == {"mine", "first"}
    assert len(metrics["pairwise"]["tests"]) == 1


# ---------------------------------------------------------------------------------------------
# Bad input: each case names the file and, where there is one, the line


def _run(sources, tmp_path, system, *extra):
    return summarize_main(
        ["--data", str(sources["csv"]), "--id_column", "doc_id", "--summary_column", "ref_a"]
        + ["--system", system, "--out", str(tmp_path / "o"), *RESAMPLES, *extra]
    )


def test_line_count_mismatch_names_file_and_counts(sources, tmp_path):
    short = tmp_path / "short.hypo"
    short.write_text("\n".join(HYPOS[:3]) + "\n")
    with pytest.raises(ValueError, match=r"short.hypo has 3 lines but the data has 4 documents"):
        _run(sources, tmp_path, f"mine={short}")
    long = tmp_path / "long.hypo"
    long.write_text("\n".join(HYPOS + ["extra"]) + "\n")
    with pytest.raises(ValueError, match=r"long.hypo has 5 lines but the data has 4"):
        _run(sources, tmp_path, f"mine={long}", "--allow_missing")


def test_allow_missing_scores_the_covered_documents_and_says_so(sources, tmp_path):
    short = tmp_path / "short.hypo"
    short.write_text("\n".join(HYPOS[:3]) + "\n")
    metrics = _run(sources, tmp_path, f"mine={short}", "--allow_missing")
    assert metrics["data"]["documents"] == 3 and metrics["data"]["allow_missing_dropped"] == 1
    assert "--allow_missing" in (tmp_path / "o" / "report.md").read_text()


def test_missing_and_duplicate_ids(sources, tmp_path):
    missing = tmp_path / "missing.jsonl"
    missing.write_text("".join(json.dumps({"id": i, "summary": "x"}) + "\n" for i in IDS[:3]))
    with pytest.raises(ValueError, match="lacks predictions for 1 of 4 documents .*'d4'"):
        _run(sources, tmp_path, f"mine={missing}")
    duplicate = tmp_path / "dup.jsonl"
    duplicate.write_text("".join(json.dumps({"id": i, "summary": "x"}) + "\n" for i in [*IDS, "b2"]))
    with pytest.raises(ValueError, match=r"dup.jsonl:5: id 'b2' appears twice \(first on line 2\)"):
        _run(sources, tmp_path, f"mine={duplicate}")


def test_empty_file_bad_utf8_and_bad_json(sources, tmp_path):
    empty = tmp_path / "empty.hypo"
    empty.write_text("")
    with pytest.raises(ValueError, match="empty.hypo is empty"):
        _run(sources, tmp_path, f"mine={empty}")
    latin = tmp_path / "latin.hypo"
    latin.write_bytes("\n".join(HYPOS[:2]).encode() + "\nCaf\xe9 opened.\n".encode("latin-1") + b"x\n")
    with pytest.raises(ValueError, match=r"latin.hypo:3: not valid UTF-8 \(byte 0xe9\)"):
        _run(sources, tmp_path, f"mine={latin}")
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "a1", "summary": "x"}\n{"id": "b2", "summ\n')
    with pytest.raises(ValueError, match="broken.jsonl:2: not valid JSON"):
        _run(sources, tmp_path, f"mine={broken}")


def test_bad_columns_and_splits_name_the_choices(sources, hypo, tmp_path):
    with pytest.raises(ValueError, match=r"--summary_column 'highlight' is not a column .*'ref_a'"):
        summarize_main(
            [
                "--data",
                str(sources["csv"]),
                "--summary_column",
                "highlight",
                "--system",
                f"m={hypo}",
                "--out",
                str(tmp_path),
            ]
        )
    with pytest.raises(ValueError, match=r"splits \['test', 'train'\]; choose one with --split"):
        summarize_main(
            [
                "--data",
                str(sources["disk"]),
                "--summary_column",
                "ref_a",
                "--system",
                f"m={hypo}",
                "--out",
                str(tmp_path),
            ]
        )
    with pytest.raises(ValueError, match="exactly one of them"):
        summarize_main(["--out", str(tmp_path)])


# ---------------------------------------------------------------------------------------------
# Python API


def test_score_from_files_equals_the_cli(sources, hypo, tmp_path):
    cli = summarize_main(
        ["--data", str(sources["csv"]), "--id_column", "doc_id", "--summary_column", "ref_a"]
        + ["--system", f"test={hypo}", "--out", str(tmp_path / "o"), "--resamples", "50", "--plots", "false"]
    )
    report = score(hypo, sources["csv"], id_column="doc_id", summary_column="ref_a", resamples=50)
    assert [r.to_dict() for r in report.systems] == cli["systems"] and report.metrics["pairwise"] == cli["pairwise"]
    markdown = report.to_markdown()
    assert "| 1 |" in markdown and "rouge-score 0.1.2" in markdown and "50 resamples, seed 0" in markdown
    csv_text = report.to_csv(tmp_path / "board.csv")
    assert csv_text.splitlines()[0].startswith("rank,system,kind,rouge1_mean,rouge1_low,rouge1_high")
    assert (tmp_path / "board.csv").read_text() == csv_text
    assert json.loads(json.dumps(report.to_dict()))["systems"][0]["name"] == report.systems[0].name
    # One typed result per system, stored as metrics.json holds it; one maker of leaderboard rows.
    assert all(SystemResult.from_dict(r.to_dict()) == r for r in report.systems)
    rows = leaderboard_rows(report.metrics)
    assert [row.system for row in rows] == report.systems and [row.rank for row in rows] == list(range(1, len(rows) + 1))
    assert rows[0].vs_best is None and all(row.vs_best.b == rows[0].system.name for row in rows[1:])
    assert [r["system"] for r in report.rows()] == [row.system.name for row in rows]


def test_score_in_memory_several_systems_and_references(caplog):
    references = [[a, b] for a, b in zip(REFS_A, REFS_B, strict=True)]
    with caplog.at_level(logging.WARNING):
        report = score(
            {"mine": HYPOS, "refs": REFS_B}, references, use_references="all", resamples=50
        )
    expected = direct_rouge(HYPOS, references, mode="all")
    mine = next(r for r in report.systems if r.name == "mine")
    assert mine.rouge["rouge2"].mean == pytest.approx(expected["rouge2"])
    assert {r.name for r in report.systems} == {"mine", "refs"}  # no articles: no baselines
    assert mine.abstractiveness["novel_2"].mean is None
    assert "not given" in report.to_markdown()
    with_articles = score(HYPOS, REFS_A, articles=ARTICLES, resamples=50)
    assert {r.name for r in with_articles.systems} == {"system", "lead-1", "lead-3", "textrank"}
    with pytest.raises(ValueError, match="3 predictions for 4 documents"):
        score(HYPOS[:3], REFS_A)


def test_score_reads_a_save_to_disk_folder_and_dataset_objects(sources):
    import datasets

    by_path = score(
        HYPOS,
        sources["disk"],
        split="test",
        summary_column="ref_a",
        id_column="doc_id",
        baselines=False,
        resamples=20,
    )
    table = datasets.load_from_disk(str(sources["disk"]))["test"]
    by_object = score(
        HYPOS, table, summary_column="ref_a", id_column="doc_id", baselines=False, resamples=20
    )
    assert by_path.systems == by_object.systems
    assert by_object.metrics["data"]["fingerprint"]


# ---------------------------------------------------------------------------------------------
# Casing on any aligned pair file


def test_normalize_reads_a_csv_pair_file_and_text_predictions(tmp_path):
    import datasets

    targets = ["Gary Locke joined Kilmarnock .", "Prices rose in Zürich ."]
    pairs = tmp_path / "pairs.csv"
    datasets.Dataset.from_list([{"lower": t.lower(), "cased": t} for t in targets]).to_csv(
        str(pairs), index=False
    )
    outputs = tmp_path / "restored.txt"
    outputs.write_text("Gary Locke joined kilmarnock .\nPrices rose in Zürich .\n")
    metrics = normalize_main(
        ["--data", str(pairs), "--input_column", "lower", "--target_column", "cased"]
        + [
            "--system",
            f"mine={outputs}",
            "--out",
            str(tmp_path / "o"),
            "--baselines",
            "false",
            "--plots",
            "false",
        ]
    )
    mine = metrics["systems"][0]
    assert mine["accuracy"] == pytest.approx(7 / 8) and mine["recall"] == pytest.approx(4 / 5)
    assert metrics["data"]["words"] == 8 and metrics["data"]["tokens"] == 10
    short = tmp_path / "short.txt"
    short.write_text("Gary Locke joined Kilmarnock .\n")
    with pytest.raises(ValueError, match="short.txt has 1 lines but the data has 2"):
        normalize_main(
            ["--data", str(pairs), "--input_column", "lower", "--target_column", "cased"]
            + ["--system", f"mine={short}", "--out", str(tmp_path / "o2"), "--baselines", "false"]
        )
