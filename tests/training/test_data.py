"""Training data: the held-out filter, splits, pairings and task mixing."""

from __future__ import annotations

import collections
import dataclasses
import json
import random

import pytest
from tiny_data import HELDOUT_ARTICLE, PLANTED

from summarizer.config import SummarizerConfig
from training.config import PRESETS, TaskConfig
from training.data import (
    HeldOut,
    allocate,
    cut_after,
    drop_heldout,
    exclude_dev,
    format_target,
    id_bucket,
    load_heldout,
    load_task,
    mix,
    normalized_key,
    read_records,
    task_pairs,
)

# The library's casing window (what a task without its own window_words gets from the model).
WINDOW_WORDS = SummarizerConfig().normalize_window_words


def test_normalized_key_keeps_lowercase_alphanumerics_of_the_first_400_chars():
    assert normalized_key("  The BBC's £2.5m deal -- 'agreed'!") == "thebbcs25mdealagreed"
    assert len(normalized_key("word " * 200)) == 400
    assert normalized_key("") == ""


def test_drop_heldout_drops_a_record_matching_a_heldout_article():
    heldout = HeldOut.from_texts([HELDOUT_ARTICLE])
    records = [{"article": PLANTED}, {"article": "Something else entirely happened in Leeds."}]
    kept, dropped = drop_heldout(records, heldout, lambda r: r["article"])
    assert dropped == 1
    assert kept == [records[1]]


def test_heldout_ngram_overlap_catches_a_copy_with_another_opening():
    body = " ".join(f"word{i}" for i in range(60))
    heldout = HeldOut.from_texts([f"By a reporter. {body}"], ngram_overlap=0.5)
    assert normalized_key(f"Updated headline here. {body}") not in heldout.keys
    assert heldout.matches(f"Updated headline here. {body}")
    assert not heldout.matches("An unrelated story about apples and pears, told at some length today.")
    key_only = HeldOut.from_texts([f"By a reporter. {body}"])
    assert not key_only.matches(f"Updated headline here. {body}")


def test_heldout_says_why_a_record_is_held_out():
    body = " ".join(f"word{i}" for i in range(60))
    heldout = HeldOut.from_texts([f"By a reporter. {body}"], ngram_overlap=0.5, ids=["bbc-7"])
    assert heldout.reason("anything at all", "bbc-7") == "id"
    assert heldout.reason(f"By a reporter. {body}") == "key"
    assert heldout.reason(f"Updated headline here. {body}") == "ngrams"
    assert heldout.reason("An unrelated story about apples and pears, told at some length today.", "x") is None
    assert heldout.union(HeldOut.from_texts(["Other text entirely."], ids=["y"])).ids == {"bbc-7", "y"}


def test_load_heldout_reads_the_three_evaluation_sources(tiny_data_dir):
    heldout = load_heldout(tiny_data_dir, ngram_overlap=0)
    assert normalized_key(HELDOUT_ARTICLE) in heldout.keys  # sumllm_cnndm_test
    assert heldout.matches(
        "A jazz festival in Whitby drew record crowds despite heavy rain over the weekend."
    )
    frank = read_records(tiny_data_dir / "summarization" / "frank.jsonl")
    for record in frank:  # frank: only the test split is held out
        assert heldout.matches(record["article"]) == (record["split"] == "test")


def test_every_task_drops_heldout_records(tiny_data_dir):
    heldout = load_heldout(tiny_data_dir)
    for name in ("highlights", "casing", "lead"):
        data = load_task(PRESETS[name], tiny_data_dir, heldout, seed=0, dev_limit=2)
        texts = [data.text_of(r) for r in data.train + data.dev]
        assert data.dropped_heldout == 1, name
        assert all(not heldout.matches(t) for t in texts), name
    frank_task = TaskConfig(
        name="frank_all", pairing="references", path="summarization/frank.jsonl", style="highlights"
    )
    data = load_task(frank_task, tiny_data_dir, heldout, seed=0)
    assert all(r["split"] != "test" for r in data.train)


def test_heldout_files_cannot_be_read_by_a_task(tiny_data_dir):
    heldout = load_heldout(tiny_data_dir)
    for path in ("summarization/sumllm_cnndm_test.jsonl", "summarization/realsumm.jsonl"):
        task = TaskConfig(name="bad", pairing="references", path=path, style="highlights")
        with pytest.raises(ValueError, match="held out"):
            load_task(task, tiny_data_dir, heldout, seed=0)


def test_dev_records_stay_out_of_every_task(tiny_data_dir):
    heldout = load_heldout(tiny_data_dir)
    highlights = load_task(PRESETS["highlights"], tiny_data_dir, heldout, seed=0)
    assert {r["split"] for r in highlights.dev} == {"val"}
    assert {r["split"] for r in highlights.train} == {"train"}
    lead = load_task(TaskConfig.from_spec({"preset": "lead", "splits": None}), tiny_data_dir, heldout, seed=0)
    assert any(r["split"] == "val" for r in lead.train)
    exclude_dev([highlights, lead])
    dev_keys = {normalized_key(r["article"]) for r in highlights.dev}
    assert not any(normalized_key(r["article"]) in dev_keys for r in lead.train)


def test_dev_size_holds_out_records_and_dev_limit_caps_them(tiny_data_dir):
    heldout = load_heldout(tiny_data_dir)
    data = load_task(PRESETS["casing"], tiny_data_dir, heldout, seed=0, dev_limit=3)
    assert len(data.dev) == 3
    assert not {r["id"] for r in data.dev} & {r["id"] for r in data.train}
    again = load_task(PRESETS["casing"], tiny_data_dir, heldout, seed=0, dev_limit=3)
    assert [r["id"] for r in again.dev] == [r["id"] for r in data.dev]


def test_allocate_splits_by_weight_and_sums_to_total():
    assert allocate([0.4, 0.2, 0.1, 0.3], 1000) == [400, 200, 100, 300]
    assert sum(allocate([1, 1, 1], 10)) == 10
    assert allocate([1, 1, 1], 10) == [4, 3, 3]
    with pytest.raises(ValueError):
        allocate([1, 0], 5)


def test_mix_follows_the_weights_and_the_seed():
    weights = {"highlights": 0.4, "one_sentence": 0.2, "headline": 0.1, "casing": 0.3}
    counts = allocate(list(weights.values()), 500)
    per_task = [[(name, i) for i in range(n)] for name, n in zip(weights, counts, strict=True)]
    mixed = mix(per_task, seed=7)
    tally = collections.Counter(name for name, _ in mixed)
    assert {name: tally[name] / 500 for name in weights} == weights
    assert mix(per_task, seed=7) == mixed
    assert mix(per_task, seed=8) != mixed
    # Shuffled, not blocked: the first 50 hold several tasks.
    assert len({name for name, _ in mixed[:50]}) >= 3


def test_references_pairing_keeps_wanted_kinds_including_joined_ones():
    task = TaskConfig(
        name="t", pairing="references", path="x.jsonl", style="highlights", reference_kinds=("gpt4",)
    )
    record = {
        "article": "An article.",
        "references": ["A.", "B.", "C."],
        "reference_kind": ["gpt3", "gpt4+chatgpt", "gpt4"],
    }
    pairs = task_pairs(task, record, random.Random(0), WINDOW_WORDS)
    assert [p.target for p in pairs] == ["B.", "C."]
    assert all(p.source == "An article." and p.style == "highlights" for p in pairs)


def test_title_pairing_splits_off_the_first_line():
    task = PRESETS["headline"]
    record = {
        "article": "Radcliffe eyes hard line on drugs\n\nPaula Radcliffe has called for bans. She said so."
    }
    (pair,) = task_pairs(task, record, random.Random(0), WINDOW_WORDS)
    assert pair.target == "Radcliffe eyes hard line on drugs"
    assert pair.source == "Paula Radcliffe has called for bans. She said so."


def test_lead_pairing_predicts_the_first_sentences_from_the_rest():
    text = "One happened. Two followed.\n\nThree came. Four was last. Five too. Six ended it."
    task = TaskConfig(name="lead", pairing="lead", path="x.jsonl", style="highlights", lead_sentences=3)
    (pair,) = task_pairs(task, {"article": text}, random.Random(0), WINDOW_WORDS)
    assert pair.target == "One happened. Two followed. Three came."
    assert pair.source == "Four was last. Five too. Six ended it."
    short = {"article": "One. Two. Three. Four."}
    assert task_pairs(task, short, random.Random(0), WINDOW_WORDS) == []
    glued = "The race was run.Dr Venter won it."  # XSum glue: the splitter adds a space
    assert glued[cut_after(glued, ["The race was run."]) :] == "Dr Venter won it."


def test_casing_pairing_makes_lowercased_ptb_windows():
    task = PRESETS["casing"]
    text = "Council leader Margaret Okafor said: \"We don't know.\" The BBC's £2m deal was agreed."
    pairs = task_pairs(task, {"text": text}, random.Random(0), WINDOW_WORDS)
    assert 1 <= len(pairs) <= task.windows_per_text
    for pair in pairs:
        assert pair.kind == "casing" and pair.style is None
        assert pair.source == pair.target.lower() and any(ch.isalpha() for ch in pair.source)
    everything = task_pairs(
        dataclasses.replace(task, windows_per_text=10), {"text": text}, random.Random(0), WINDOW_WORDS
    )
    assert [p.target for p in everything] == [
        "Council leader Margaret Okafor said : `` We do n't know .",
        "The BBC 's # 2m deal was agreed .",
    ]


def test_ptb_targets_are_detokenized():
    assert (
        format_target("Gary Locke 's side won 2 - 1 -LRB- away -RRB- .", "ptb")
        == "Gary Locke's side won 2-1 (away)."
    )


def test_xsum_gold_targets_are_recased_and_unescaped():
    gold = "hereford united have been expelled from the football conference following the club\\'s failure."
    formatted = format_target(gold, "xsum_gold")
    assert formatted.startswith("Hereford United have been expelled")
    assert "club's failure" in formatted and "\\" not in formatted


def test_read_records_from_csv_and_a_datasets_folder(tmp_path):
    csv_path = tmp_path / "data.csv"
    csv_path.write_text('article,references\n"An article.","[""A summary.""]"\n', encoding="utf-8")
    (record,) = read_records(csv_path)
    task = TaskConfig(name="t", pairing="references", path=str(csv_path), style="highlights")
    assert [p.target for p in task_pairs(task, record, random.Random(0), WINDOW_WORDS)] == ["A summary."]

    import datasets

    folder = tmp_path / "saved"
    datasets.DatasetDict(
        {"train": datasets.Dataset.from_list([{"article": "A.", "references": ["B."]}])}
    ).save_to_disk(str(folder))
    assert read_records(folder) == [{"article": "A.", "references": ["B."], "split": "train"}]
    with pytest.raises(ValueError, match="expected a .jsonl or .csv"):
        read_records(tmp_path / "data.txt")


def test_task_specs_from_flags_and_dicts():
    assert TaskConfig.from_spec("highlights:0.4").weight == 0.4
    task = TaskConfig.from_spec({"preset": "casing", "weight": 0.3, "max_records": 5})
    assert (task.name, task.weight, task.max_records) == ("casing", 0.3, 5)
    full = TaskConfig.from_spec(
        json.dumps({"name": "mine", "pairing": "title", "path": "a.jsonl", "style": "headline"})
    )
    assert full.kind == "summary"
    with pytest.raises(ValueError, match="unknown task preset"):
        TaskConfig.from_spec("nope")
    with pytest.raises(ValueError, match="needs a summary style"):
        TaskConfig(name="x", pairing="references", path="a.jsonl")
    with pytest.raises(ValueError, match="unknown task setting"):
        TaskConfig.from_spec({"preset": "casing", "wieght": 1})


def test_dev_by_id_bucket_is_fixed_by_the_id_and_never_trained(tmp_path):
    records = [{"id": f"rss-{i}", "description": f"Item {i} says what happened today in the town.",
                "headline": f"Item {i} happened"} for i in range(200)]  # fmt: skip
    (tmp_path / "rss.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    task = TaskConfig(name="rss", pairing="references", path="rss.jsonl", style="headline",
                      text_field="description", references_field="headline", dev_modulus=10, dev_remainder=3)  # fmt: skip
    data = load_task(task, tmp_path, HeldOut.from_texts([]), seed=0)
    expected = {r["id"] for r in records if id_bucket(r["id"], 10) == 3}
    assert {r["id"] for r in data.dev} == expected and 5 < len(expected) < 40
    assert not expected & {r["id"] for r in data.train}
    assert len(data.dev) + len(data.train) == 200
    # The experiments draw the same dev records: the bucket depends on the id alone.
    assert id_bucket("rss-7", 10) == id_bucket("rss-7", 10)
    with pytest.raises(ValueError, match="dev_remainder"):
        dataclasses.replace(task, dev_remainder=10)


def test_min_text_words_skips_short_records(tmp_path):
    records = [{"id": "a", "description": "Too short.", "headline": "A"},
               {"id": "b", "description": "This description has more than enough words in it.", "headline": "B"}]  # fmt: skip
    (tmp_path / "rss.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    task = TaskConfig(name="rss", pairing="references", path="rss.jsonl", style="headline",
                      text_field="description", references_field="headline", min_text_words=5)  # fmt: skip
    assert [r["id"] for r in load_task(task, tmp_path, HeldOut.from_texts([]), seed=0).train] == ["b"]


def test_faithful_only_drops_targets_naming_what_the_source_lacks():
    task = TaskConfig(name="rss", pairing="references", path="x.jsonl", style="headline",
                      text_field="description", references_field="headline", faithful_only=True)  # fmt: skip
    source = "The city council in Leeds voted on Tuesday to close 12 libraries."
    kept = {"description": source, "headline": "Leeds council votes to close 12 libraries"}
    invented_name = {"description": source, "headline": "Mayor Smith closes Leeds libraries"}
    invented_number = {"description": source, "headline": "Leeds to close 15 libraries"}
    assert [p.target for p in task_pairs(task, kept, random.Random(0), WINDOW_WORDS)] == [kept["headline"]]
    assert task_pairs(task, invented_name, random.Random(0), WINDOW_WORDS) == []
    assert task_pairs(task, invented_number, random.Random(0), WINDOW_WORDS) == []
    # The same filter serves the title and lead pairings.
    lead = TaskConfig(name="lead", pairing="lead", path="x.jsonl", style="one_sentence_abstractive",
                      lead_sentences=1, min_rest_sentences=1, faithful_only=True)  # fmt: skip
    article = {"article": "Jane Doe won the race. The race was run in the rain. Jane Doe was pleased."}
    assert [p.target for p in task_pairs(lead, article, random.Random(0), WINDOW_WORDS)] == ["Jane Doe won the race."]
    article = {"article": "Jane Doe won the race. The race was run in the rain. She was pleased."}
    assert task_pairs(lead, article, random.Random(0), WINDOW_WORDS) == []
