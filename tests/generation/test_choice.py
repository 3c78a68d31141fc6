"""The choice among compressions: traits read off the parse, features of the article, weights."""

from __future__ import annotations

import random

import pytest

from summarizer.config import CHOICE_WEIGHTS, StyleConfig
from summarizer.generation.choice import FEATURES, article_counts, choose, choose_scored, features
from summarizer.generation.compression import Compression, compressions
from summarizer.generation.compressive import compression_candidates
from summarizer.text.parsing import parse


def _whole(text: str) -> Compression:
    """The longest compression of `text` (the sentence nearly whole)."""
    sent = parse([text])[0][:]
    return compressions(sent, 0, max_words=40, headline=True, limit=1)[0]


def test_traits_mark_an_opening_a_pointing_pronoun_and_a_description():
    c = _whole("In fact, much of this debate over the budget is overblown.")
    assert c.opens and c.copular and c.unresolved >= 1


def test_a_pronoun_after_a_name_points_at_it_and_us_is_not_first_person():
    c = _whole("Donald Trump said he would visit the US border on Friday.")
    assert c.unresolved == 0 and not c.first_person and c.names >= 2 and not c.opens
    assert _whole("We must act on climate change now, the senator said.").first_person


def test_a_subject_pointing_back_is_marked_anaphoric():
    sentences = ["The campaign has already outgrown its modest office on Manchester Road in Concord."]
    found = compression_candidates(sentences, max_words=14, headline=True)
    assert found and all(c.anaphoric for c in found)


def test_features_cover_every_name_and_read_the_article():
    article = "Senate Republicans blocked the bill. Republicans said the bill costs too much. Weather was fine."
    counts = article_counts(article)
    central = features(Compression("Republicans blocked bill", 3, 0), -1.0, 14, counts)
    side = features(Compression("Weather was fine", 3, 2), -1.0, 14, counts)
    assert set(central) == set(FEATURES)
    assert central["centrality"] > side["centrality"]
    assert side["sentence"] == 2.0 and central["length"] == pytest.approx(3 / 14)


def test_choose_weighs_features_and_refuses_unknown_ones():
    lead, later = Compression("Senate passes budget bill", 4, 0), Compression("Bill heads to House floor", 5, 1)
    article = "Senate passes budget bill. Bill heads to House floor."
    assert choose([lead, later], [-2.0, -1.0], {"score": 1.0}, 14, article) is later
    assert choose([lead, later], [-2.0, -1.0], {"score": 1.0, "sentence": -2.0}, 14, article) is lead
    with pytest.raises(ValueError, match="unknown choice features"):
        choose([lead], [-1.0], {"scroe": 1.0}, 14, article)
    with pytest.raises(ValueError, match="no candidates"):
        choose([], [], {"score": 1.0}, 14, article)


@pytest.mark.parametrize("seed", range(40))
def test_choose_scored_chooses_as_choose_and_scores_only_what_can_win(seed):
    """Random candidates, scores (mean log-probabilities, <= 0) and weights: the lazy choice
    equals the full one, each score is asked once, and a weight of 0 asks none."""
    rng = random.Random(seed)
    words = "Senate passes budget bill after vote The House delays it Trump said tax cuts".split()
    article = " ".join(rng.choice(words) for _ in range(60))
    candidates = [Compression(" ".join(rng.choice(words) for _ in range(rng.randint(2, 16))), rng.randint(2, 16),
                              rng.randint(0, 4), names=rng.randint(0, 3), point=rng.uniform(-2, 2))
                  for _ in range(rng.randint(1, 25))]
    scores = [-rng.uniform(0, 4) for _ in candidates]
    weights = dict(CHOICE_WEIGHTS) if seed % 4 else {"score": rng.choice([0.0, -0.5, 2.0]), "point": 1.0}
    asked: list[int] = []

    def score(ks):
        asked.extend(ks)
        return [scores[k] for k in ks]

    assert choose_scored(candidates, score, weights, 14, article) is choose(candidates, scores, weights, 14, article)
    assert len(asked) == len(set(asked))
    if weights["score"] == 0:
        assert not asked


def test_a_compressive_style_needs_choice_weights():
    with pytest.raises(ValueError, match="choice_weights"):
        StyleConfig(name="x", instruction="Headline:", compress=True)


def test_a_long_lead_offers_a_complete_clause_over_the_limit_rather_than_none():
    sentences = ["Mexico, meet Donald Trump.",
                 "The Republican presidential candidate is taking up Mexican president Enrique Peña Nieto on an offer "
                 "extended to both US presidential candidates by making a quick visit to Mexico on Wednesday, just "
                 "hours before he is expected to deliver a major immigration speech in Arizona."]
    found = compression_candidates(sentences, max_words=14, headline=True)
    assert found and all("on offer extended to both US presidential candidates" in c.text for c in found)
    assert min(c.words for c in found) > 14 + 10


def test_the_first_statement_is_offered_however_long():
    # No compression of the lead fits 14 + 10 words; a short side detail does. Both are offered,
    # the lead's shortest complete clauses first.
    sentences = [
        "Hundreds of supporters have gathered outside a county courthouse in the US state of Kentucky in support "
        "of a county clerk who was jailed for refusing to issue marriage licences to gay couples.",
        "Some of her deputies began processing licences.",
    ]
    found = compression_candidates(sentences, max_words=14, headline=True)
    assert {c.sentence for c in found} == {0, 1}
    assert found[0].sentence == 0 and found[0].words > 24
