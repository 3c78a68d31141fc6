"""headline_case: AP title case and sentence case on real headlines; only case changes."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.casing.headline import headline_case, source_names

TITLE_CASES = [
    # headlines/non_clickbait.jsonl (NYT) already in AP-style title case stay as they are
    ("Bill Changing Credit Card Rules Is Sent to Obama With Gun Measure Included",) * 2,
    ("In Hollywood, the Easy-Money Generation Toughens Up",) * 2,
    ("U.N. Leader Presses Sri Lanka on Speeding Relief to War Refugees in Camps",) * 2,
    ("2 Somali-Americans Charged With Aiding Terror",) * 2,
    # small words lowercase inside, capitalized first, last and after a colon
    ("Boeing Expects Layoffs to Total 10,000 In 2009", "Boeing Expects Layoffs to Total 10,000 in 2009"),
    ("Red Sox And Varitek Agree to 1-Year Deal", "Red Sox and Varitek Agree to 1-Year Deal"),
    (
        "the 39-year-old mother-of-two: a state-run tv show",
        "The 39-Year-Old Mother-of-Two: A State-Run TV Show",
    ),
    ("what are you looking at", "What Are You Looking At"),
    # headlines/bbc_titles.jsonl (sentence case) to title case; names and acronyms kept
    ("Ad sales boost Time Warner profit", "Ad Sales Boost Time Warner Profit"),
    (
        "DVD review: Harry Potter and the Prisoner of Azkaban",
        "DVD Review: Harry Potter and the Prisoner of Azkaban",
    ),
    ("Q&A: Malcolm Glazer and Man Utd", "Q&A: Malcolm Glazer and Man Utd"),
    ("High fuel prices hit BA's profits", "High Fuel Prices Hit BA's Profits"),
    ("Ethiopia's crop production up 24%", "Ethiopia's Crop Production Up 24%"),
    ("Court rejects $280bn tobacco case", "Court Rejects $280bn Tobacco Case"),
    # mixed case and dotted acronyms are kept
    (
        "obama's iphone plan for the u.s. is sent to mcdonald's",
        "Obama's iPhone Plan for the U.S. Is Sent to McDonald's",
    ),
    ("'We won't stop' says Labour leader", "'We Won't Stop' Says Labour Leader"),
]

SENTENCE_CASES = [
    # bbc_titles sentence-case headlines are kept
    ("Ad sales boost Time Warner profit",) * 2,
    ("Dollar gains on Greenspan speech",) * 2,
    ("Jobs growth still slow in the US",) * 2,
    ("India calls for fair trade rules",) * 2,
    # title case to sentence case: proper nouns stay capitalized
    (
        "Bill Changing Credit Card Rules Is Sent to Obama With Gun Measure Included",
        "Bill changing credit card rules is sent to Obama with gun measure included",
    ),
    (
        "White House Announces International Meetings to Address Energy and Climate Issues",
        "White House announces international meetings to address energy and climate issues",
    ),
    ("France Approves Crackdown on Internet Piracy", "France approves crackdown on internet piracy"),
    # uncased input is cased by the truecaser first
    ("WHITE HOUSE ANNOUNCES NEW PLAN", "White House announces new plan"),
    ("obama visits new york", "Obama visits New York"),
    ("Shooting to Software Stardom on the iPhone", "Shooting to software stardom on the iPhone"),
]


@pytest.mark.parametrize(("text", "expected"), TITLE_CASES)
def test_title_case(text, expected):
    assert headline_case(text, "title") == expected


@pytest.mark.parametrize(("text", "expected"), SENTENCE_CASES)
def test_sentence_case(text, expected):
    assert headline_case(text, "sentence") == expected
    assert headline_case(text) == expected  # sentence is the default


def test_bad_arguments():
    with pytest.raises(ValueError, match="style"):
        headline_case("a headline", "upper")
    with pytest.raises(TypeError):
        headline_case(None)
    assert headline_case("", "title") == ""
    assert headline_case("  ", "sentence") == "  "


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=80), st.sampled_from(["title", "sentence"]))
def test_only_case_changes(text, style):
    out = headline_case(text, style)
    assert out.lower() == text.lower() and len(out) == len(text)


def _headlines(shared_data, name, style):
    rows = [json.loads(line) for line in (shared_data / "headlines" / name).open()]
    return [r["headline"] for r in rows if r["style"] == style]


def test_nyt_title_headlines_are_kept(shared_data):
    """NYT headlines labelled title-style mostly already follow the rules (>= 95%)."""
    titles = _headlines(shared_data, "non_clickbait.jsonl", "title")[:1000]
    kept = sum(headline_case(t, "title") == t for t in titles)
    assert kept / len(titles) >= 0.95


def test_bbc_sentence_headlines_survive_title_and_back(shared_data):
    """BBC sentence-case titles -> title case -> sentence case gives the original back (>= 78%).

    Since issue 4 the truecaser no longer trains on title lines (title case is not evidence), so
    these titles are unseen text: 80.2% come back (85% was the figure when the same titles were
    in the training text).
    """
    sentences = _headlines(shared_data, "bbc_titles.jsonl", "sentence")[:1000]
    back = sum(headline_case(headline_case(s, "title"), "sentence") == s for s in sentences)
    assert back / len(sentences) >= 0.78


def test_the_articles_names_keep_their_capitals():
    article = "Iraqi forces began a push to retake Hit on Monday. The town of Hit lies west of Baghdad."
    names = source_names(article)
    assert {"Hit", "Baghdad"} <= names and "Iraqi" not in names and "The" not in names
    headline = "Iraqi Forces Push to Retake Hit"
    assert headline_case(headline, "sentence", names=names) == "Iraqi forces push to retake Hit"
    assert headline_case(headline, "sentence").lower() == headline.lower()
