"""`normalize(method="model")`: the tagger's draft checked by a language model."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
import torch

from summarizer import Summarizer
from summarizer.casing.decoder import shipped_decoder
from summarizer.casing.lm_check import (
    CaseLMSettings,
    WordCandidates,
    case_candidates,
    choose_forms,
    context_spans,
    restore_case_with_lm,
    score_candidates,
)
from summarizer.casing.tagger import shipped_tagger
from summarizer.casing.windows import CaseLM

DATA = Path(os.environ.get("SUMMARIZER_DATA", Path(__file__).resolve().parents[3] / "shared" / "data"))
TEXTS = [
    "obama visited new york on monday . he met the u.s. team .",
    "' the terrorists are seizing the cars of civilians , ' kheyon rasheed told the state - run iraqiyya television",
    "x",
    "the harbour street bridge reopened",
]
# Every word checked, UPPER for every length, the next token scored: the most rows and terms.
CHECK_ALL = CaseLMSettings(settled_share=None, settled_margin=None, max_upper_letters=None, next_weight=1.0)

_LOADED: dict = {}


def _load(path, backend="torch") -> Summarizer:
    """fp32 by default (backend "torch"): the equality tests compare log-probs to 1e-4, which
    bf16 weights miss (tree vs separate passes and batch vs alone round differently)."""
    if (path, backend) not in _LOADED:
        _LOADED[path, backend] = Summarizer.from_pretrained(path, backend=backend)
    return _LOADED[path, backend]


_LM_FIELDS = {f.name for f in dataclasses.fields(CaseLM)}


def _score(s: Summarizer, texts, settings=CHECK_ALL, batch_size=8, **overrides):
    """`score_candidates` with `s`'s own casing context; `overrides` replace any of it or add
    arguments (drafts, only)."""
    lm = dataclasses.replace(s.case_lm(), **{k: overrides.pop(k) for k in _LM_FIELDS & overrides.keys()})
    return score_candidates(lm, shipped_decoder(), texts, settings, batch_size=batch_size, **overrides)


def test_candidates():
    assert case_candidates("obama", "Obama") == ("Obama", "obama", "OBAMA")
    assert case_candidates("mcdonald", "McDonald") == ("McDonald", "mcdonald", "Mcdonald", "MCDONALD")
    assert case_candidates("the", "the", max_upper_letters=2) == ("the", "The")
    assert case_candidates("'s", "'s") == ("'s", "'S")
    # A sentence opener keeps a capital first letter: only capitalized forms compete.
    assert case_candidates("obama", "Obama", capitalized=True) == ("Obama", "OBAMA")
    assert case_candidates("the", "The", max_upper_letters=2, capitalized=True) == ("The",)
    assert case_candidates("straße", "straße") == ("straße", "Straße")  # STRASSE is longer: dropped
    assert case_candidates("İstanbul", "İstanbul") == ("İstanbul", "İSTANBUL")  # lower() adds a dot
    for word, draft in [("u.s.", "U.S."), ("ab-cd", "Ab-Cd"), ("é", "É")]:
        forms = case_candidates(word, draft)
        assert forms[0] == draft and len(set(forms)) == len(forms)
        assert all(f.lower() == word.lower() and len(f) == len(word) for f in forms)


def _word(forms, lm, prior=None, count=0):
    n = len(forms)
    return WordCandidates(
        0, len(forms[0]), tuple(forms), tuple(lm), (0.0,) * n, tuple(prior or (0.0,) * n), count, True
    )


def test_choice_keeps_the_draft_when_the_model_is_indifferent():
    settings = CaseLMSettings(draft_bonus=0.0, settled_share=None, settled_margin=None)
    assert choose_forms([_word(["Apple", "apple", "APPLE"], [-3.0, -3.0, -3.0])], settings) == ["Apple"]
    assert choose_forms([_word(["Apple", "apple", "APPLE"], [-3.0, -1.0, -3.0])], settings) == ["apple"]
    # The bonus is the margin another form needs.
    settings = CaseLMSettings(draft_bonus=2.5, settled_share=None, settled_margin=None)
    assert choose_forms([_word(["Apple", "apple"], [-3.0, -1.0])], settings) == ["Apple"]
    assert choose_forms([_word(["Apple", "apple"], [-4.0, -1.0])], settings) == ["apple"]
    # Words the counts settle are never changed; long words never become UPPER.
    settled = _word(["the", "The"], [-9.0, -1.0], prior=[-0.001, -7.0], count=1000)
    assert choose_forms([settled], CaseLMSettings(draft_bonus=0.0, settled_margin=None)) == ["the"]
    # By default the decoder's margin decides instead: a word it is unsure of is checked.
    unsure, sure = dataclasses.replace(settled, margin=1.0), dataclasses.replace(settled, margin=6.0)
    assert choose_forms([unsure, sure], CaseLMSettings(draft_bonus=0.0)) == ["The", "the"]
    assert choose_forms([settled], CaseLMSettings(draft_bonus=0.0, settled_share=None, settled_margin=None)) == ["The"]
    shout = _word(["voters", "VOTERS"], [-9.0, -1.0])
    assert choose_forms([shout], CaseLMSettings(draft_bonus=0.0, max_upper_letters=5)) == ["voters"]
    # Words the model did not score (too long for the context, or not asked about) keep the draft.
    unscored = WordCandidates(0, 5, ("Apple", "apple"), (0.0, 0.0), (0.0, 0.0), (-9.0, 0.0), 3, False)
    assert choose_forms(
        [unscored], CaseLMSettings(draft_bonus=0.0, prior_weight=1.0, settled_share=None, settled_margin=None)
    ) == ["Apple"]


def test_settings_are_validated():
    with pytest.raises(ValueError, match="prompt"):
        CaseLMSettings(prompt="chat")
    with pytest.raises(ValueError, match="settled_share"):
        CaseLMSettings(settled_share=1.5)
    with pytest.raises(ValueError, match="window_words"):
        CaseLMSettings(window_words=0)


def _separate_scores(s: Summarizer, words: list[WordCandidates], prefix: list[int]):
    """Each form's log-prob (own tokens, next draft token) from one plain forward pass per form."""
    tok = s.tokenizer
    draft = [w.forms[0] for w in words]
    out = []
    for j, w in enumerate(words):
        before = list(tok(" ".join(draft[:j]), add_special_tokens=False)["input_ids"]) if j else []
        after = (
            list(tok(" " + draft[j + 1], add_special_tokens=False)["input_ids"])[:1]
            if j + 1 < len(words)
            else []
        )
        per_form = []
        for form in w.forms:
            own = list(tok(("" if j == 0 else " ") + form, add_special_tokens=False)["input_ids"])
            ids = prefix + before + own + after
            with torch.inference_mode():
                lp = s.model(torch.tensor([ids])).logits[0].float().log_softmax(-1)
            start = len(prefix) + len(before)
            values = [lp[start - 1 + i, ids[start + i]].item() for i in range(len(own) + len(after))]
            per_form.append((sum(values[: len(own)]), sum(values[len(own) :])))
        out.append(per_form)
    return out


def test_tree_scores_equal_separate_passes(tiny_causal_dir):
    s = _load(tiny_causal_dir)
    text = "obama met the u.s. team in new york"
    (words,) = _score(s, [text])
    prefix = list(s.tokenizer("\n", add_special_tokens=False)["input_ids"])
    expected = _separate_scores(s, words, prefix)
    for w, per_form in zip(words, expected, strict=True):
        for k, (own, nxt) in enumerate(per_form):
            assert w.lm[k] == pytest.approx(own, abs=1e-4)
            assert w.lm_next[k] == pytest.approx(nxt, abs=1e-4)


@pytest.mark.parametrize("which", ["causal", "seq2seq"])
def test_batching_equals_one_by_one(which, tiny_causal_dir, tiny_seq2seq_dir):
    s = _load(tiny_causal_dir if which == "causal" else tiny_seq2seq_dir)
    batched = _score(s, TEXTS, batch_size=8)
    alone = [_score(s, [t], batch_size=1)[0] for t in TEXTS]
    for a, b in zip(batched, alone, strict=True):
        assert [w.forms for w in a] == [w.forms for w in b]
        for wa, wb in zip(a, b, strict=True):
            assert wa.lm == pytest.approx(wb.lm, abs=1e-4)
            assert wa.lm_next == pytest.approx(wb.lm_next, abs=1e-4)
    assert any(len(w.forms) > 1 and w.lm[0] != 0.0 for w in batched[0])  # the model did score


@pytest.mark.parametrize("which", ["causal", "seq2seq"])
def test_model_method_changes_only_case(which, tiny_causal_dir, tiny_seq2seq_dir):
    # The default backend: bf16 weights on CPUs with native bf16 (SUMMARIZER_FORCE_BF16=1 forces it).
    s = _load(tiny_causal_dir if which == "causal" else tiny_seq2seq_dir, backend="auto")
    for settings in [None, CHECK_ALL, CaseLMSettings(prompt="instruction", bf16=True)]:
        results = s.normalize(TEXTS, method="model", detokenize=False, batch_size=3, case_settings=settings)
        for text, result in zip(TEXTS, results, strict=True):
            assert result.method == "model"
            assert result.cased.lower() == text.lower() and len(result.cased) == len(text)


def test_a_large_draft_bonus_gives_the_draft(tiny_causal_dir):
    s = _load(tiny_causal_dir)
    settings = CaseLMSettings(draft_bonus=1e9, settled_share=None, settled_margin=None)
    results = s.normalize(TEXTS, method="model", detokenize=False, case_settings=settings)
    # The draft normalize checks is the tagger's (its class margins say which words to check).
    assert [r.cased for r in results] == [shipped_tagger().restore(t) for t in TEXTS]


def test_case_settings_only_for_the_model_method(tiny_causal_dir):
    s = _load(tiny_causal_dir)
    with pytest.raises(ValueError, match="case_settings"):
        s.normalize(["fine"], method="statistical", case_settings=CaseLMSettings())


@pytest.mark.parametrize("fixture", ["tiny_causal_dir", "tiny_seq2seq_dir"])
def test_sentence_openers_stay_capitalized(fixture, request):
    """Whatever a (here random) model prefers, a word the truecaser capitalizes by position
    keeps its capital: the first word of every sentence."""
    s = _load(request.getfixturevalue(fixture))
    outs = s.normalize(TEXTS, method="model", detokenize=False, case_settings=CHECK_ALL)
    for out in outs:
        tokens = out.text.split()
        starts = [0] + [i + 1 for i, t in enumerate(tokens[:-1]) if t in (".", "!", "?")]
        for i in starts:
            word = tokens[i] if tokens[i] != "'" else tokens[i + 1]
            assert word[0].isupper(), (out.text, word)


def test_windows_longer_than_the_context_keep_the_draft(tiny_seq2seq_dir):
    s = _load(tiny_seq2seq_dir)  # 128 positions
    text = "a" * 400 + " new york"
    lm = dataclasses.replace(s.case_lm(), use_chat=False)
    (out,) = restore_case_with_lm(lm, shipped_decoder(), [text], CHECK_ALL, batch_size=2)
    assert out.lower() == text
    (words,) = _score(s, [text])
    assert not any(w.checked for w in words[:1]) and words[1].checked  # the long token's window is skipped


def test_pruned_scoring_matches_full_scoring(tiny_causal_dir):
    """Settled words, UPPER limits and no next token change which rows are built, not the scores."""
    s = _load(tiny_causal_dir)
    full = _score(s, TEXTS)
    pruned = _score(s, TEXTS, settings=CaseLMSettings(settled_share=None, settled_margin=None, next_weight=0.0))
    for a, b in zip(full, pruned, strict=True):
        for wa, wb in zip(a, b, strict=True):
            assert wb.forms == wa.forms[: len(wb.forms)]
            if wb.checked:  # a sentence opener may be left with one form: nothing to check
                assert wb.lm == pytest.approx(wa.lm[: len(wb.lm)], abs=1e-4)
            else:
                assert len(wb.forms) == 1 or not wa.checked
            assert set(wb.lm_next) == {0.0}


def test_drafts_and_only_limit_what_is_checked(tiny_causal_dir):
    s = _load(tiny_causal_dir)
    text = "obama met the u.s. team in new york"
    draft = "Obama met the U.S. team in New York"
    (words,) = _score(s, [text], batch_size=4, instruction="", use_chat=False, drafts=[draft], only=[{1, 6}])
    assert [w.forms[0] for w in words] == draft.split()
    assert [k for k, w in enumerate(words) if w.checked] == [1, 6]
    with pytest.raises(ValueError, match="more than letter case"):
        _score(s, [text], batch_size=4, instruction="", use_chat=False, drafts=["Obama met"])


def test_context_spans():
    assert context_spans([False, True, False], None) == [(0, 2)]
    assert context_spans([False, False, True, False, False, False, True], 2) == [(0, 3), (4, 7)]
    # A checked word within reach of the span before joins it.
    assert context_spans([True, False, True, False, False, False, True], 3) == [(0, 7)]
    assert context_spans([False, True], 0) == [(1, 2)]
    assert context_spans([False, False], 4) == []


def test_context_words_limit_what_the_model_reads(tiny_causal_dir):
    """With `context_words`, a checked word is scored after "\\n" and the `context_words` draft
    words before it, exactly as one separate pass over just those words would score it."""
    s = _load(tiny_causal_dir)
    text = "obama met the u.s. team in new york"
    draft = "Obama met the U.S. team in New York"
    settings = dataclasses.replace(CHECK_ALL, context_words=2, next_weight=0.0)
    (words,) = _score(s, [text], settings=settings, drafts=[draft], only=[{6}])
    assert [k for k, w in enumerate(words) if w.checked] == [6]
    tok = s.tokenizer
    prefix = list(tok("\n", add_special_tokens=False)["input_ids"])
    before = list(tok("team in", add_special_tokens=False)["input_ids"])
    for form, score in zip(words[6].forms, words[6].lm, strict=True):
        own = list(tok(" " + form, add_special_tokens=False)["input_ids"])
        ids = prefix + before + own
        with torch.inference_mode():
            lp = s.model(torch.tensor([ids])).logits[0].float().log_softmax(-1)
        start = len(prefix) + len(before)
        assert score == pytest.approx(sum(lp[start - 1 + i, t].item() for i, t in enumerate(own)), abs=1e-4)
    # The whole window as context (the default before) scores the same word differently.
    (full,) = _score(s, [text], settings=dataclasses.replace(settings, context_words=None), drafts=[draft], only=[{6}])
    assert full[6].lm != pytest.approx(words[6].lm, abs=1e-4)
