"""Entity and number precision."""

import pytest

from eval.metrics.faithfulness import entity_precision, extract_entities, extract_numbers, number_precision


def test_numbers_are_normalized_across_forms():
    text = "He paid £2.5m, or 2.5 million, to 40,000 fans at 10:30 in 2015; twenty-five more; three hundred thousand."
    assert extract_numbers(text) == ["2500000", "2500000", "40000", "10:30", "2015", "25", "300000"]
    assert extract_numbers("One of them, one million, a hundred") == ["1000000"]
    assert extract_numbers("") == [] and extract_numbers("?!") == []


def test_number_precision():
    source = "The club paid 2,500,000 pounds for twelve players in 2015."
    result = number_precision("They paid £2.5m for 12 players in 2016.", source)
    assert (result.matched, result.total, result.unsupported) == (2, 3, ("2016",))
    assert result.value == pytest.approx(2 / 3)
    assert number_precision("No numbers here.", source).value is None


def test_entities_are_capitalized_mid_sentence_names():
    text = (
        "Gary Locke will be confirmed as Kilmarnock's manager on Friday. "
        'He said: "The club, Kilmarnock FC, is great." Locke replaced Allan Johnston.'
    )
    assert extract_entities(text) == ["gary locke", "kilmarnock", "friday", "kilmarnock fc", "allan johnston"]
    ptb = "Gary Locke joined Kilmarnock 's staff . He said : `` The club -LRB- Kilmarnock FC -RRB- is great . ''"
    assert extract_entities(ptb) == ["gary locke", "kilmarnock", "kilmarnock fc"]
    # A sentence-initial word joins a following name, unless it is a function word.
    assert extract_entities("Anuradha Koirala met Kilmarnock's Gary Locke. The BBC said so.") == [
        "anuradha koirala",
        "kilmarnock",
        "gary locke",
        "bbc",
    ]
    assert extract_entities("") == [] and extract_entities("... !") == []
    assert extract_entities("lowercase text about nepal .") == []


def test_entity_precision_is_case_insensitive_on_the_source():
    summary = "Talks between Anuradha Koirala and Pushpa Basnet began in Zürich and Geneva."
    source = "anuradha koirala met pushpa basnet in zürich ."
    result = entity_precision(summary, source)
    assert (result.matched, result.total, result.unsupported) == (3, 4, ("geneva",))
    assert entity_precision("no names at all.", source).value is None
