"""Case restoration under the constraint: only letter case (and, detokenized, spacing) changes."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summarizer import Normalized, Summarizer
from summarizer.casing.constrained import CaseTrie
from summarizer.casing.lm_check import CaseLMSettings
from summarizer.casing.windows import case_windows
from summarizer.config import NORMALIZE_METHODS
from summarizer.weights.vocab import token_bytes_table

WIRE = "' the terrorists are seizing the cars of civilians , ' kheyon rasheed told the state - run iraqiyya television"


@pytest.fixture(scope="module")
def loaded(tiny_dir) -> Summarizer:
    return Summarizer.from_pretrained(tiny_dir)


@pytest.mark.parametrize("method", ["model", "generate"])
def test_model_changes_only_case(loaded, method):
    texts = [WIRE, "obama visited new york on monday . he met the u.s. team .", "x"]
    results = loaded.normalize(texts, method=method, detokenize=False, batch_size=2)
    assert all(isinstance(r, Normalized) and r.method == method for r in results)
    for text, result in zip(texts, results, strict=True):
        assert result.text == result.cased
        assert result.cased.lower() == text.lower()


def test_detokenize_changes_only_spacing_and_case(loaded):
    (result,) = loaded.normalize([WIRE], method="model")
    assert result.detokenized
    assert result.cased.lower() == WIRE
    assert "state-run" in result.text.lower() and " ," not in result.text
    assert result.text.replace(" ", "").lower() == WIRE.replace(" ", "")


def test_statistical_method(loaded):
    (result,) = loaded.normalize([WIRE], method="statistical", detokenize=False)
    assert result.cased.lower() == WIRE and result.method == "statistical"
    assert "Kheyon Rasheed" in result.cased


def test_bad_input(loaded):
    with pytest.raises(ValueError, match="text 1 is empty"):
        loaded.normalize(["fine", " "], method="model")
    with pytest.raises(ValueError, match="text 1 is empty"):
        loaded.normalize(["fine", " "])
    with pytest.raises(ValueError, match="unknown method"):
        loaded.normalize(["fine"], method="magic")
    with pytest.raises(TypeError):
        loaded.normalize("a string")


def test_windows_cover_every_token():
    text = "one two . three four five six seven  eight !  nine"
    spans = case_windows(text, max_words=3)
    assert [text[s:e] for s, e in spans] == ["one two .", "three four five", "six seven  eight", "!", "nine"]
    spans = case_windows(text, max_words=10, max_bytes=12)
    assert [text[s:e] for s, e in spans] == ["one two .", "three four", "five six", "seven  eight", "!", "nine"]


# Adversarial inputs: non-ASCII, digits, URLs, very long tokens, odd whitespace, specials.
_ALPHABET = st.sampled_from(
    list("abcdefxyz ABCXYZ 0123456789 .,;:'\"!?-_/@#$%&()[]") + ["é", "ß", "İ", "ø", "中", "\u00a0", "😀", "\t", "\n"]
)
_TEXTS = st.one_of(
    st.text(_ALPHABET, min_size=1, max_size=60),
    st.builds(lambda w: f"see https://example.com/{w} now", st.text("abcxyz0123/", min_size=1, max_size=40)),
    st.builds(lambda n: "a" * n, st.integers(1, 150)),
    st.text(min_size=1, max_size=40),
).filter(lambda t: t.strip())


@pytest.mark.parametrize("method", NORMALIZE_METHODS)
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(_TEXTS, min_size=1, max_size=3))
def test_property_only_case_changes(tiny_dir, method, texts):
    s = _cached(tiny_dir)
    # Check every word with every candidate, so the model decides as much as it can.
    kwargs = {"case_settings": CaseLMSettings(settled_share=None, max_upper_letters=None, draft_bonus=0.0)} if method == "model" else {}
    for text, result in zip(texts, s.normalize(texts, method=method, detokenize=False, batch_size=2, **kwargs), strict=True):
        assert result.cased.lower() == text.lower()
        assert len(result.cased) == len(text)
        # Whitespace is the input's, character for character.
        assert [i for i, c in enumerate(result.cased) if c.isspace()] == [i for i, c in enumerate(text) if c.isspace()]


_CACHE: dict = {}


def _cached(path) -> Summarizer:
    if path not in _CACHE:
        _CACHE[path] = Summarizer.from_pretrained(path)
    return _CACHE[path]


def test_token_table_round_trips_bytes(loaded):
    table = token_bytes_table(loaded.tokenizer)
    ids = loaded.tokenizer("Café in Zürich, 5 % up", add_special_tokens=False)["input_ids"]
    assert b"".join(table.table[i] for i in ids).decode() == "Café in Zürich, 5 % up"
    trie = CaseTrie(table)
    assert all(table.table[i].lower() == b"caf"[: len(table.table[i])] for i in trie.allowed(b"caf"))
