"""The case tagger stacked on the decoder: only case changes, its classes are applied as stated,
and it survives a save and load."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.casing.decoder import CaseDecoder
from summarizer.casing.ngrams import CaseNgrams
from summarizer.casing.tagger import CaseTagger, CaseTaggerNet, TaggerConfig, case_class
from summarizer.casing.truecaser import TruecaserConfig
from training.count_truecaser import count_truecaser

CORPUS = [
    "The European Court of Human Rights ruled on Monday .",
    "She met Donald Sterling and the McDonald family in New York .",
    "The pound sterling fell against the dollar , the BBC said .",
] * 3


def _tagger(seed: int = 0) -> CaseTagger:
    torch.manual_seed(seed)
    decoder = CaseDecoder(count_truecaser(CORPUS, TruecaserConfig(oov_capital_bias=0.0)), CaseNgrams.count(CORPUS))
    vocab = {w: i + 1 for i, w in enumerate(sorted({w.lower() for line in CORPUS for w in line.split()}))}
    return CaseTagger(decoder, CaseTaggerNet(TaggerConfig(vocab=len(vocab) + 1, hidden=8)), vocab)


def test_case_classes():
    assert [case_class(t) for t in ("the", "The", "BBC", "McDonald", "iPhone", "42", ",")] == [0, 1, 2, 3, 3, 0, 0]


def test_classes_are_applied_as_stated():
    tagger = _tagger()
    # the decoder's own form when the class agrees; the class's form when it does not; a mixed
    # form from the decoder, else from the counts, else Title
    assert tagger._cased("new", "New", 1) == "New"
    assert tagger._cased("new", "New", 0) == "new"
    assert tagger._cased("bbc", "bbc", 2) == "BBC"
    assert tagger._cased("mcdonald", "McDonald", 3) == "McDonald"
    assert tagger._cased("mcdonald", "mcdonald", 3) == "McDonald"
    assert tagger._cased("zork", "zork", 3) == "Zork"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["the", "court", "new", "york", "bbc", "mcdonald", ",", ".", "'s", "zork", "-lrb-",
                                 "  ", "\n", "İstanbul", "straße"]), max_size=30))
def test_only_case_changes(words):
    text = " ".join(words)
    out = _tagger().restore(text)
    assert out.lower() == text.lower()
    assert len(out) == len(text)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(["the", "court", "new", "york", "bbc", ",", "  ", "\n", "zork"]), max_size=25))
def test_a_draft_gives_one_margin_per_word_the_lm_check_reads(words):
    """`draft` is `restore` plus, for each whitespace token (what `lm_check` reads), how sure
    the tagger is: never negative (the best class minus the second)."""
    text = " ".join(words)
    tagger = _tagger()
    cased, margins = tagger.draft(text)
    assert cased == tagger.restore(text)
    assert len(margins) == sum(len(line.split()) for line in text.split("\n"))
    assert all(m >= 0 for m in margins)


def test_save_and_load_give_the_same_text(tmp_path):
    tagger = _tagger(seed=3)
    text = "she met donald sterling in new york .\nthe bbc said the pound fell"
    tagger.save(tmp_path / "tagger.pt")
    loaded = CaseTagger.load(tmp_path / "tagger.pt", tagger.decoder)
    # weights are stored in half precision: same classes on this text
    assert loaded.restore(text) == tagger.restore(text)
    assert loaded.features.vocab == tagger.features.vocab


@pytest.mark.slow
def test_the_shipped_tagger_beats_the_decoder_on_whole_dev_articles():
    """Score floors on fixed data: the first 120 dev articles as wire copy, in both layouts.
    Measured when shipped: tagger F1 0.951 / 0.950 (running / lines), decoder 0.945 / 0.946."""
    from bench.wirecopy import load_set, score_set
    from summarizer.casing.tagger import shipped_tagger
    from summarizer.paths import data_root

    if not (data_root() / "casing" / "news_text.jsonl").is_file():
        pytest.skip("shared data not found")
    tagger = shipped_tagger()
    for layout in ("running", "lines"):
        records = load_set(layout, "dev")[:120]
        tagged = [tagger.restore(r.input) for r in records]
        assert all(t.lower() == r.input.lower() for t, r in zip(tagged, records, strict=True))
        f1 = score_set(records, tagged, 1.0).scores.f1
        decoder = score_set(records, [tagger.decoder.restore(r.input) for r in records], 1.0).scores.f1
        print(layout, round(f1, 4), round(decoder, 4))
        assert f1 >= 0.93 and f1 >= decoder + 0.003
