"""Wire-copy detection: the signs of lowercased, PTB-tokenized, one-sentence-a-line copy."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from summarizer.casing.wire import prepare_article
from summarizer.text.layout import detect_layout, split_title, strip_dateline

DATA = Path(os.environ.get("SUMMARIZER_DATA", Path(__file__).resolve().parents[2].parent / "shared" / "data"))

CASED = (
    "Engineers in the coastal town of Millbrook reopened the Harbour Street bridge on Tuesday, eleven "
    "months after a winter storm tore away part of its eastern span. Council leader Margaret Okafor said "
    "the overspend would be covered from reserves."
)


def test_the_two_examples(cased_example, wire_example):
    headline, article = cased_example
    assert not detect_layout(f"{headline}\n{article}").is_wire
    layout = detect_layout(wire_example)
    assert layout.lowercased and layout.tokenized and layout.sentence_lines and layout.is_wire


@pytest.mark.parametrize(
    ("text", "lowercased", "tokenized"),
    [
        (CASED, False, False),
        (CASED.lower(), True, False),  # lowercased, plain spacing
        ("The council met on Monday , and it did n't approve the budget . The mayor 's office said so .",
         False, True),  # cased PTB tokens
        ("short text", False, False),  # too little to tell
    ],
)
def test_signs(text, lowercased, tokenized):
    layout = detect_layout(text)
    assert (layout.lowercased, layout.tokenized) == (lowercased, tokenized)


def test_paragraph_lines_with_periods_are_not_sentence_lines():
    assert not detect_layout("First paragraph. It ends.\nSecond one ends too.\nA headline\nThird.").sentence_lines


# ------------------------------------------------------------------------------ title lines
def test_the_seed_examples_title_line_is_kept_apart(cased_example, wire_example):
    headline, article = cased_example
    assert split_title(f"{headline}\n{article}") == (headline, article)
    assert split_title(article) == (None, article)  # its first line is a sentence
    # Wire copy: one unterminated sentence a line; its first sentence is no title.
    assert split_title(wire_example) == (None, wire_example)


def _record(path: str, record_id: str) -> dict:
    with (DATA / path).open(encoding="utf-8") as f:
        for line in f:
            if f'"id": "{record_id}"' in line:
                return json.loads(line)
    pytest.skip(f"{record_id} not in {path}")


@pytest.mark.parametrize(
    ("path", "record_id", "title"),
    [
        ("summarization/bbc_summary.jsonl", "bbc-sport-046", "Radcliffe eyes hard line on drugs"),
        # A short question is a title.
        ("summarization/bbc_summary.jsonl", "bbc-politics-344", "Will Tory tax cuts lift spirits?"),
        # Page furniture first: no title.
        ("summarization/xsum_extra.jsonl", "xsum-superni-af24d4d3b51d4c6890052002d5aa4d1d", None),
        # A sentence broken over two lines (", the football club said ..."): no title.
        ("summarization/xsum_extra.jsonl", "xsum-superni-ab398cae0d974ed0a58e073271151a71", None),
        # A long question opening the article is its first sentence.
        ("summarization/xsum_extra.jsonl", "xsum-superni-3adda55e99b249e4b2847beacff8cae0", None),
    ],
)
def test_titles_on_real_records(path, record_id, title):
    record = _record(path, record_id)
    found, body = split_title(record["article"])
    assert found == title
    assert body == (record["article"].split("\n", 1)[1].strip() if title else record["article"])


def test_a_one_paragraph_article_has_no_title():
    assert split_title(CASED) == (None, CASED)
    assert split_title("Short line\n") == (None, "Short line\n")


# ------------------------------------------------------------------------------ datelines and bylines
@pytest.mark.parametrize(
    ("path", "record_id", "first_words"),
    [
        ("summarization/sumllm_cnndm.jsonl", "sumllm-cnndm-3a8a40271ae1f631", "The National Institutes of Health"),
        ("summarization/sumllm_cnndm.jsonl", "sumllm-cnndm-023cd8bd7f5e3861", "Previously secret correspondence"),
        ("summarization/frank.jsonl", "frank-cnndm-23a0f5d45517620ea12e8af780b2fa1cd9a2373a", "They may not be"),
    ],
)
def test_cnn_datelines_on_real_records(path, record_id, first_words):
    assert strip_dateline(_record(path, record_id)["article"]).startswith(first_words)


@pytest.mark.parametrize(
    ("text", "stripped"),
    [
        ("ROME (Reuters) - Italy is coping with a surge.", "Italy is coping with a surge."),
        ("(CNN) -- Two passengers were hurt.", "Two passengers were hurt."),
        ("West of Baghdad, Iraq (CNN)The call came at night.", "The call came at night."),
        ("WASHINGTON -- The Senate voted.", "The Senate voted."),
        ("By . Daily Mail Reporter . PUBLISHED: . 08:39 EST, 5 March 2013 . | . UPDATED: . 08:39 EST, "
         "5 March 2013 . A man was arrested.", "A man was arrested."),
        ("29 September 2016 Last updated at 13:58 BST The video shows it.", "The video shows it."),
        # Not datelines: an acronym opening a sentence, "(CNN)" inside one, a dash aside.
        ("NASA - the space agency - said so.", None),
        ("The army told the network (CNN) it had won.", None),
        ("US military officials - who were not involved - said so.", None),
    ],
)
def test_dateline_and_byline_forms(text, stripped):
    assert strip_dateline(text) == (text if stripped is None else stripped)


def test_prepared_articles_lose_the_dateline_wire_copy_too():
    wire = "-lrb- cnn -rrb- two passengers were hurt on tuesday , police said\nthe driver was not hurt\n"
    assert prepare_article(wire).text.startswith("Two passengers were hurt on Tuesday")
    assert prepare_article("(CNN)The bridge reopened on Tuesday. It had been closed.").text.startswith("The bridge")


def test_wire_copy_with_a_title_line_is_told_by_length(wire_example):
    title = "isis fighters flee tikrit in stolen cars"
    assert split_title(f"{title}\n{wire_example}") == (title, wire_example.strip())
    # A long first line of wire copy is its lead, not a title.
    assert split_title(wire_example)[0] is None
    prepared = prepare_article(f"{title}\n{wire_example}")
    assert prepared.title == "ISIS fighters flee Tikrit in stolen cars"  # cased, no period added
    assert prepared.text.startswith("ISIS terrorists are stealing")
