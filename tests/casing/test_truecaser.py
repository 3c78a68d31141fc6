"""StatisticalTruecaser: behaviour on a tiny trained model, persistence, the only-case contract."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.casing import case_counts, load_records, score_casing
from summarizer.casing.positions import position_kinds
from summarizer.casing.truecaser import StatisticalTruecaser, TruecaserConfig
from training.count_truecaser import count_truecaser

CORPUS = [
    "The president of the United States met Angela Merkel in New York on Monday .",
    "He said the U.S. economy was strong , and that McDonald 's would hire 5,000 people .",
    "Officials in New York said the new plan may work .",
    "In May , the NASA team said the new rocket would fly in June .",
    "Apple sold more iPhone models than expected , the company said .",
    "Police said the man , 39 , was arrested in London .",
    "` We will win , ' said Angela Merkel . ` It is time . '",
    "The new head of the BBC will start in May .",
    "She may visit the White House , the president 's office said .",
    "Prices rose 5 % in the year to May , the Office for National Statistics said .",
    "He told reporters : ` We are ready . '",
    "They said we are ready .",
] * 3


@pytest.fixture(scope="module")
def tiny() -> StatisticalTruecaser:
    # No bias towards capitals for unknown words: in this corpus `at` and `an` are unknown.
    return count_truecaser(CORPUS, TruecaserConfig(oov_capital_bias=0.0))


@pytest.fixture(scope="module")
def shipped() -> StatisticalTruecaser:
    return StatisticalTruecaser.from_pretrained()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("angela merkel met the president in new york .", "Angela Merkel met the president in New York ."),
        ("the u.s. team at mcdonald 's sold an iphone .", "The U.S. team at McDonald 's sold an iPhone ."),
        ("in may , police said the plan may work .", "In May , police said the plan may work ."),
        ("officials said : ` we will win . '", "Officials said : ` We will win . '"),
        ("nasa and the bbc . the new plan", "NASA and the BBC . The new plan"),
    ],
)
def test_tiny_model_restores(tiny, text, expected):
    assert tiny.restore(text) == expected


def test_restore_keeps_whitespace_and_accepts_token_lists(tiny):
    text = "  angela   merkel\tmet\n\nthe president . "
    out = tiny.restore(text)
    assert out.lower() == text.lower()
    assert re.sub(r"\S", "x", out) == re.sub(r"\S", "x", text)
    assert out.split()[0] == "Angela"
    assert tiny.restore(["angela", "merkel", "said"]) == "Angela Merkel said"
    assert tiny.restore("") == ""
    with pytest.raises(TypeError):
        tiny.restore(42)


def test_unknown_words_and_hyphens(shipped):
    out = shipped.restore("lisa mcelroy met anti-merkel protesters .").split()
    assert out[:2] == ["Lisa", "McElroy"]  # an unknown mc- name is McX when capitalized
    assert out[3] == "anti-Merkel"  # hyphen parts unseen as a whole are cased one by one


def test_save_load_round_trip(tiny, tmp_path):
    path = tmp_path / "model.json.gz"
    tiny.save(path)
    with gzip.open(path, "rt", encoding="utf-8") as f:
        payload = json.load(f)  # plain gzip JSON, no pickle
    assert payload["format"] == "summarizer-statistical-truecaser"
    loaded = StatisticalTruecaser.load(path)
    for line in CORPUS[:10]:
        assert loaded.restore(line.lower()) == tiny.restore(line.lower())
    tiny.save(tmp_path / "again.json.gz")
    assert (tmp_path / "again.json.gz").read_bytes() == path.read_bytes()  # deterministic bytes


def test_load_rejects_other_files(tmp_path):
    path = tmp_path / "other.json.gz"
    with gzip.open(path, "wt") as f:
        json.dump({"format": "something-else"}, f)
    with pytest.raises(ValueError, match="not a summarizer-statistical-truecaser"):
        StatisticalTruecaser.load(path)


def test_config_validation():
    with pytest.raises(ValueError):
        TruecaserConfig(context_prior=0)


def test_position_kinds():
    tokens = "he said : ` we won . ' the end . ' ok ' she said".split()
    kinds = position_kinds(tokens)
    assert kinds[0] == "S" and kinds[4] == "C" and kinds[8] == "A"
    # Right after a quote closed on a word, `he` may open a sentence whose period is missing
    # (highlights); after a comma the sentence goes on (dev wire copy: `did '' , he told`).
    assert position_kinds("a ` gold digger ' he said".split())[5] == "K"
    assert position_kinds("what he did '' , he told bbc".split())[5] == "M"
    # A backtick between a word and `s` is an apostrophe typed wrong, not a quote (dev wire copy).
    assert position_kinds("apple ` s tests began".split())[2] == "M"
    assert position_kinds("he said : ` s is a letter".split())[4] == "C"


ADVERSARIAL = [
    "",
    " ",
    "\n\n",
    "ß straße İstanbul ΣΟΦΙΑ σοφίας ǅemal ﬁnance ǈ",
    "https://www.bbc.co.uk/news/uk-12345 and user@example.com",
    "x" * 5000,
    "1,000,000 2-1 3.14 -lrb- -rrb- `` '' ` ' -- ...",
    "日本 東京 ελλάδα россия",
    "a\u00a0b\u2003c\td",
    "  leading and trailing  ",
]


@pytest.mark.parametrize("text", ADVERSARIAL)
def test_only_case_changes_adversarial(shipped, text):
    out = shipped.restore(text)
    assert out.lower() == text.lower()
    assert [c.isspace() for c in out] == [c.isspace() for c in text]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_only_case_changes_random(shipped, text):
    out = shipped.restore(text)
    assert len(out) == len(text)
    assert out.lower() == text.lower()
    assert all(a == b for a, b in zip(out, text, strict=True) if a.isspace() or b.isspace())


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "new",
                "york",
                "the",
                "u.s.",
                ".",
                "'",
                "`",
                "mcdonald",
                "'s",
                "may",
                "iphone",
                "-",
                "state-run",
                "ß",
            ]
        ),
        max_size=40,
    )
)
def test_only_case_changes_token_soup(shipped, tokens):
    text = " ".join(tokens)
    assert shipped.restore(text).lower() == text.lower()


def test_score_floor_on_frank_valid(shipped, shared_data: Path):
    """The shipped model on the FRANK valid-split references (the tuning slice)."""
    records = load_records(shared_data, "valid")
    assert len(records) == 186
    total = None
    for record in records:
        counts = case_counts(record["input"], shipped.restore(record["input"]), record["target"])
        total = counts if total is None else total + counts
    scores = score_casing(total)
    assert scores.changed_records == 0
    assert scores.accuracy >= 0.965
    assert scores.f1 >= 0.92


def test_wire_copy_position_fixes():
    from summarizer.casing.truecaser import StatisticalTruecaser

    tc = StatisticalTruecaser.from_pretrained()
    # a curly apostrophe split off its clitic is no quote; a dateline's bracket ends the dateline
    assert tc.restore("the club ’ s new coach") == "The club ’ s new coach"
    assert tc.restore("apple ` s new watch").split()[2] == "s"
    assert tc.restore("( cnn ) the minister said").startswith("( CNN ) The minister")
    assert tc.restore("washington -lrb- cnn -rrb- -- the minister").split()[5] == "The"
    # a split compound that the counts know whole is cased as the compound
    assert tc.restore("the us - led coalition").split()[1] == "US"
