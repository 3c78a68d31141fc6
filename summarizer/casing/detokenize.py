"""Convert between CNN/DM PTB tokens and plain text, keeping letter case.

`detokenize` turns the See et al. CNN/DM format (`he said : `` we do n't know '' .`) into readable
text (`he said: "we don't know".`). It only joins or separates tokens, except for these
documented mappings, which restore characters the CNN/DM preprocessing replaced:

* `-lrb-` `-rrb-` `-lsb-` `-rsb-` `-lcb-` `-rcb-` (any case) -> `( ) [ ] { }`;
* `` `` `` and `''` -> `"`; a single `` ` `` (opening single quote) -> `'`;
* `#` directly before a number -> `£` (the preprocessing mapped `£` to `#`).

Design choices:

* A spaced hyphen is ambiguous. CNN/DM's own tokenizer kept compounds whole (`39-year-old`),
  other pipelines split every hyphen (`state - run`). Each ` - ` between two words is joined
  when the evidence for the pair says compound (counts of `a-b` versus `a - b` in cased news,
  shipped in `summarizer/resources/hyphens_en.json.gz`), when both sides are numbers (`2 - 1`,
  `9 - 1/2`) or an acronym meets a number (`F - 16`); a chain of three or more parts gets a
  bonus; a word that opens a clause (`a`, `the`, `who`) vetoes a two-part join (`highway 1 - a
  road`). When the line holds letter-letter compounds (`year-old`, not `al-abadi`), its
  tokenizer kept them whole and a join needs a much larger margin.
* Dashes stay the characters they are: ` - ` and ` -- ` are kept, never turned into an em dash,
  because only case and spacing may change.
* Single quotes are paired: `` ` `` always opens; a `'` closes an open quote, and otherwise
  opens one, unless it follows a word ending in s and the number of `'` left in the text says
  it cannot be a quote (`the players ' union` -> `the players' union`).

sacremoses' MosesDetokenizer was the starting point, but on this format it leaves `n't`,
`` `` ``, `''` and `-lrb-` untouched, attaches every `'` to the word before it, and does not
pair quotes, so the joining below is done token by token with explicit rules instead.

`tokenize_ptb` goes the other way, from cased raw text to cased CNN/DM-style tokens (the caller
lowercases); it is what turns cased news into training pairs for the truecaser.
"""

from __future__ import annotations

import functools
import gzip
import json
import math
import re
from dataclasses import dataclass
from importlib import resources

__all__ = ["detokenize", "joined_hyphens", "tokenize_ptb"]

_BRACKETS = {"-lrb-": "(", "-rrb-": ")", "-lsb-": "[", "-rsb-": "]", "-lcb-": "{", "-rcb-": "}"}
_OPEN_BRACKETS = frozenset("([{")
_CLOSE_BRACKETS = frozenset(")]}")
_CLITICS = frozenset({"'s", "n't", "'re", "'ll", "'ve", "'m", "'d"})
# PTB splits gonna/wanna/gotta into two tokens; these second halves attach to the first.
_SPLIT_WORDS = {("gon", "na"), ("wan", "na"), ("got", "ta")}
_CURRENCY = frozenset({"$", "£", "€", "¥", "us$", "a$", "c$", "nz$", "hk$", "s$"})
# Log-odds a never-seen pair must clear to be joined (set on the spaced hyphens of the
# realsumm references and the FRANK references, where every ` - ` is a dash).
_UNSEEN_PAIR_MARGIN = 1.0
# Extra log-odds a pair needs in a line whose tokenizer kept other compounds whole, and the
# bonus of each pair inside a chain of three or more parts (set on the wire-copy dev split).
_UNSPLIT_MARGIN = 3.0
_CHAIN_BONUS = 1.0
_NUMBERISH = re.compile(r"^[+-]?\d[\d,.]*(?:/\d+)?$")
# Words that open the clause after a spaced dash far more often than they join a compound.
_DASH_OPENERS = frozenset(
    "a an the and but or who which that this these those it he she they we i you his her their its "
    "is was are were as if when while because".split()
)
_ACRONYM = re.compile(r"^[A-Z]{1,5}$")
_QUOTE_CLOSERS = frozenset({",", ".", "!", "?"})
_SPEECH_VERBS = frozenset(
    "said says say told tells added adds asked asks explained insisted claimed admitted wrote "
    "writes tweeted replied continued warned according".split()
)
_SENTENCE_PUNCT = frozenset({".", "!", "?", "...", ".."})
_LEFT_PUNCT = re.compile(r"^(?:[.,;:!?%]+|…)$")
_NUMBER = re.compile(r"^[+-]?\d[\d,.]*$")
_STARTS_WITH_DIGIT = re.compile(r"^\.?\d")
_WORD = re.compile(r"\w")
# A letter-letter hyphen inside one token: the tokenizer did not split compounds.
# Arabic name particles (`al-abadi`) that tokenizers splitting compounds still keep whole.
_NAME_PREFIX = re.compile(r"^(?:al|el|ul|bin|abu|abd|ibn)-", re.IGNORECASE)
_UNSPLIT_COMPOUND = re.compile(r"[^\W\d_]-[^\W\d_]")


@dataclass(frozen=True)
class _Piece:
    text: str
    glue_left: bool = False
    glue_right: bool = False


def _is_word(token: str | None) -> bool:
    return token is not None and bool(_WORD.search(token)) and token.lower() not in _BRACKETS


def _possessive_host(token: str | None) -> bool:
    """A word a bare `'` may follow as the plural possessive (`players '`)."""
    return token is not None and token[-1:].lower() in ("s", "z", "x") and token[-1:].isalpha()


@functools.cache
def _hyphen_stats() -> dict:
    path = resources.files("summarizer") / "resources" / "hyphens_en.json.gz"
    try:
        with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        return {"pairs": {}, "left": {}, "right": {}}


def hyphen_key(part: str) -> str:
    """The lexicon key of one side of a hyphen: lowercased, numbers collapsed to `<num>`."""
    return "<num>" if _NUMBER.match(part) else part.lower()


def _compound_score(left: str, right: str) -> float:
    """Log-odds that `left - right` was the compound `left-right` rather than a spaced dash.

    Sums the evidence of the pair and of each side seen in the lexicon. A pair never seen needs
    clear side evidence (`ex`, `born`), and never joins a number to a word: numbers stand
    before dashes as often as in compounds.
    """
    stats = _hyphen_stats()
    left_key = hyphen_key(left.rsplit("-", 1)[-1])
    right_key = hyphen_key(right.split("-", 1)[0])
    pair = stats["pairs"].get(f"{left_key} {right_key}")
    sides = [(key, stats[side].get(key)) for side, key in (("left", left_key), ("right", right_key))]
    side_scores = [(key, math.log((c[0] + 1.0) / (c[1] + 1.0))) for key, c in sides if c is not None]
    if pair is not None:
        return math.log((pair[0] + 0.5) / (pair[1] + 0.5)) + sum(score for _, score in side_scores)
    if "<num>" in (left_key, right_key) or not side_scores:
        return -math.inf  # `2013 - a`, `billion - 10`: a number next to an unseen pairing
    return sum(score for _, score in side_scores) - _UNSEEN_PAIR_MARGIN


def _join_hyphens(tokens: list[str], hyphens_split: bool | None) -> set[int]:
    """Indexes of ` - ` tokens that join the words on either side into one compound.

    Each hyphen is decided from the evidence of its pair (`_compound_score`); a chain of three or
    more parts (`hour - and - a - half`) gets `_CHAIN_BONUS`; a text that also holds unsplit
    compounds (`hyphens_split` False or guessed so) needs `_UNSPLIT_MARGIN` more evidence, since
    its tokenizer kept compounds whole and its spaced hyphens are mostly dashes.
    """
    joined: set[int] = set()
    if hyphens_split is False:
        return joined
    margin = _UNSPLIT_MARGIN if hyphens_split is None else 0.0
    i = 0
    while i < len(tokens):
        if tokens[i] != "-" or i == 0 or i + 1 >= len(tokens):
            i += 1
            continue
        # Collect the chain word - word - word ... starting at this hyphen.
        chain = [i]
        j = i + 2
        while j + 1 < len(tokens) and tokens[j] == "-" and _is_word(tokens[j + 1]):
            chain.append(j)
            j += 2
        words = [tokens[k - 1] for k in chain] + [tokens[chain[-1] + 1]]
        if all(_is_word(w) and not _LEFT_PUNCT.match(w) for w in words):
            bonus = _CHAIN_BONUS if len(words) >= 3 else 0.0
            scores = [_pair_score(a, b, len(words)) + bonus for a, b in zip(words, words[1:], strict=False)]
            if len(words) >= 3 and min(scores) > -_CHAIN_BONUS and sum(scores) > margin:
                joined.update(chain)
            else:
                joined.update(k for k, score in zip(chain, scores, strict=True) if score > margin)
        i = chain[-1] + 1
    return joined


def joined_hyphens(tokens: list[str]) -> set[int]:
    """Indexes of the ` - ` tokens of one line that `detokenize` joins into compounds (guessing
    whether the tokenizer split compounds, as `detokenize` does)."""
    split = None if any(_UNSPLIT_COMPOUND.search(t) and not _NAME_PREFIX.match(t) for t in tokens) else True
    return _join_hyphens(tokens, split)


def _pair_score(left: str, right: str, parts: int = 2) -> float:
    if parts == 2 and (right.lower() in _DASH_OPENERS or left.lower() in _DASH_OPENERS):
        # `highway 1 - a road`, `officials - who`: a word that opens a clause after a dash
        return -_CHAIN_BONUS - 1.0
    if _NUMBERISH.match(left) and _NUMBERISH.match(right):
        return 10.0  # 2 - 1, 9 - 1/2
    if _ACRONYM.match(left) and _NUMBERISH.match(right):
        return 10.0  # F - 16, G - 7, COVID - 19 (the input is already cased)
    return _compound_score(left, right)


def _pieces(tokens: list[str], hyphens_split: bool | None, state: dict) -> list[_Piece]:
    """The pieces of one line; `state` carries the open quotes from line to line (a quote of
    one-sentence-a-line copy often closes a line or two after it opened)."""
    joined_hyphens = _join_hyphens(tokens, hyphens_split)
    quotes_left = [0] * (len(tokens) + 1)  # number of "'" tokens at positions >= i
    for i in range(len(tokens) - 1, -1, -1):
        quotes_left[i] = quotes_left[i + 1] + (tokens[i] == "'")

    pieces: list[_Piece] = []
    single_open = state.get("single", False)
    double_open = state.get("double", False)
    for i, token in enumerate(tokens):
        lower = token.lower()
        prev = tokens[i - 1] if i > 0 else None
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if lower in _BRACKETS:
            char = _BRACKETS[lower]
            pieces.append(_Piece(char, glue_right=char in _OPEN_BRACKETS, glue_left=char in _CLOSE_BRACKETS))
        elif token in _OPEN_BRACKETS:
            pieces.append(_Piece(token, glue_right=True))
        elif (
            token in _CLOSE_BRACKETS
            or lower in _CLITICS
            and prev is not None
            or prev is not None
            and (prev.lower(), lower) in _SPLIT_WORDS
            or lower == "not"
            and prev is not None
            and prev.lower() == "can"
        ):
            pieces.append(_Piece(token, glue_left=True))
        elif token == "``":
            double_open = True
            pieces.append(_Piece('"', glue_right=True))
        elif token == "''":
            # PTB writes `''` for closing quotes; it opens only where nothing is open and it
            # starts the line or follows a colon.
            opens = not double_open and _is_word(nxt) and (prev is None or prev == ":")
            double_open = opens
            pieces.append(_Piece('"', glue_right=opens, glue_left=not opens))
        elif token == '"':
            double_open = not double_open
            pieces.append(_Piece('"', glue_right=double_open, glue_left=not double_open))
        elif (
            token in ("'", "’")
            and _is_word(prev)
            and nxt is not None
            and nxt.lower() in ("s", "t", "re", "ll", "ve", "d", "m")
            and (i + 2 >= len(tokens) or tokens[i + 2] not in ("'", "’"))
            and not single_open
        ):
            pieces.append(_Piece(token, glue_left=True, glue_right=True))  # `club ’ s` -> club’s
        elif token == "`":
            single_open = True
            pieces.append(_Piece("'", glue_right=True))
        elif token == "'":
            piece, single_open = _single_quote(tokens, i, single_open, quotes_left[i + 1])
            pieces.append(piece)
        elif token == "#" and nxt is not None and _STARTS_WITH_DIGIT.match(nxt):
            pieces.append(_Piece("£", glue_right=True))
        elif lower in _CURRENCY and nxt is not None and _STARTS_WITH_DIGIT.match(nxt):
            pieces.append(_Piece(token, glue_right=True))
        elif _LEFT_PUNCT.match(token) and prev is not None:
            pieces.append(_Piece(token, glue_left=True))
        elif i in joined_hyphens:
            pieces.append(_Piece(token, glue_left=True, glue_right=True))
        else:
            pieces.append(_Piece(token))
    state["single"], state["double"] = single_open, double_open
    return pieces


def _single_quote(tokens: list[str], i: int, single_open: bool, later: int) -> tuple[_Piece, bool]:
    """The piece for a `'` token at `i` (a closing or opening quote, or a plural possessive),
    and whether a single quote is open after it. `later`: `'` tokens after this one."""
    prev = tokens[i - 1] if i > 0 else None
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    possessive_ok = _possessive_host(prev) and _is_word(prev)
    if single_open:
        if possessive_ok and _is_word(nxt) and later % 2 == 1:
            return _Piece("'", glue_left=True), True  # players' (quote still open)
        if prev in _SENTENCE_PUNCT and _is_word(nxt) and later % 2 == 1:
            # `' she said . ' just do it , '`: the first quote ran on unclosed; this one
            # opens a new quote that the one left over closes.
            return _Piece("'", glue_right=True), True
        return _Piece("'", glue_left=True), False
    if possessive_ok and (later % 2 == 0 or nxt in ("'", "`", "``")):
        return _Piece("'", glue_left=True), False
    if prev in _QUOTE_CLOSERS and _speech_follows(tokens, i + 1):
        # `it was false , ' spokesman X said`: closes a quote opened on an earlier line.
        return _Piece("'", glue_left=True), False
    if nxt is not None and (_is_word(nxt) or nxt in ("``", "$", "#") or nxt.lower() in ("-lrb-", "-lsb-")):
        return _Piece("'", glue_right=True), True
    return _Piece("'", glue_left=prev is not None), False


def _speech_follows(tokens: list[str], start: int) -> bool:
    """A speech verb within the next four tokens (`' he said`, `' the spokesman told`)."""
    return any(t.lower() in _SPEECH_VERBS for t in tokens[start : start + 4])


def _detokenize_line(line: str, hyphens_split: bool | None, state: dict) -> str:
    tokens = line.split()
    if not tokens:
        return ""
    if hyphens_split is None and not any(
        _UNSPLIT_COMPOUND.search(t) and not _NAME_PREFIX.match(t) for t in tokens
    ):
        hyphens_split = True
    pieces = _pieces(tokens, hyphens_split, state)
    out = [pieces[0].text]
    for before, piece in zip(pieces, pieces[1:], strict=False):
        if not (before.glue_right or piece.glue_left):
            out.append(" ")
        out.append(piece.text)
    return "".join(out)


def detokenize(text: str, *, hyphens_split: bool | None = None) -> str:
    """Join CNN/DM PTB tokens into plain text, keeping every letter's case.

    `hyphens_split` says whether the tokenizer split hyphenated compounds (`state - run`); None
    guesses it per line (see the module docstring). Line breaks are kept; runs of spaces
    become one space.
    """
    if not isinstance(text, str):
        raise TypeError(f"detokenize expects a str, got {type(text).__name__}")
    state: dict = {}
    return "\n".join(_detokenize_line(line, hyphens_split, state) for line in text.split("\n"))


# ---------------------------------------------------------------------------------------------
# Raw text -> CNN/DM PTB tokens

# Abbreviations that keep their period (lowercased, without the final period).
_ABBREVIATIONS = frozenset(
    """
    mr mrs ms messrs dr prof sr jr st mt ft gen col lt sgt capt cmdr adm gov sen rep rev hon pres
    supt insp det cpl pte pvt spc maj brig jan feb mar apr jun jul aug sep sept oct nov dec
    inc ltd co corp plc llc bros dept univ assn vs etc al approx est no nos vol fig ave blvd rd
    ala ariz ark calif colo conn del fla ga ill ind kan ky la md mass mich minn miss mo mont neb
    nev okla ore pa tenn tex va vt wash wis wyo
    """.split()
)
_INITIALISM = re.compile(r"^(?:[^\W\d_]\.)+[^\W\d_]?$")  # U.S, J.R.R, D.C, i.e
_URL = re.compile(r"^(?:https?://|www\.)\S+$|^[\w.+-]+@[\w-]+\.[\w.]+$", re.IGNORECASE)
_SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u202a-\u202e\u2060\ufeff]")
_CLITIC_SUFFIX = re.compile(r"^(.*[^\W_])('(?:s|re|ve|ll|m|d))$", re.IGNORECASE)
_NT_SUFFIX = re.compile(r"^(.*[^\W_])(n't)$", re.IGNORECASE)
_WHOLE_SPLITS = {
    "cannot": ("can", "not"),
    "gonna": ("gon", "na"),
    "wanna": ("wan", "na"),
    "gotta": ("got", "ta"),
}
# Leading elisions that are words, not opening quotes.
_ELISIONS = re.compile(r"^'(?:\d0s|em|til|cause|n|tis|twas)\b", re.IGNORECASE)
_CURRENCY_PREFIX = re.compile(r"^(US\$|A\$|C\$|NZ\$|HK\$|S\$|\$|£|€|¥)(?=\d|\.\d)", re.IGNORECASE)
_DASHES = re.compile(r"\s*(?:—|–|―|--+)\s*")


def _split_inner(word: str, pound_as_hash: bool) -> list[str]:
    """Split clitics and currency off a word that has no outer punctuation left."""
    if not word:
        return []
    if _URL.match(word) or word.lower() in _CLITICS:
        return [word]
    currency = _CURRENCY_PREFIX.match(word)
    if currency:
        symbol = currency.group(1)
        symbol = "#" if symbol == "£" and pound_as_hash else symbol
        return [symbol, *_split_inner(word[currency.end() :], pound_as_hash)]
    lower = word.lower()
    if lower in _WHOLE_SPLITS:
        first, second = _WHOLE_SPLITS[lower]
        return [word[: len(first)], word[len(first) :]]
    nt = _NT_SUFFIX.match(word)
    if nt and nt.group(1).lower() not in ("", "n"):
        return [nt.group(1), nt.group(2)]
    clitic = _CLITIC_SUFFIX.match(word)
    if clitic and not _ELISIONS.match(word):
        return [*_split_inner(clitic.group(1), pound_as_hash), clitic.group(2)]
    if len(word) > 1 and word.endswith("%") and word[-2].isdigit():
        return [word[:-1], "%"]
    return [word]


def _split_chunk(chunk: str, state: dict, is_last: bool, pound_as_hash: bool) -> list[str]:
    """Tokenize one whitespace-separated chunk. `state` carries the double-quote parity."""
    head, word = _split_leading(chunk, state)
    tail, word = _split_trailing(word, state, is_last)
    if word == '"':
        word = "``" if not state["double_open"] else "''"
        state["double_open"] = not state["double_open"]
    elif word in ("“", "”", "‘", "’"):
        word = {"“": "``", "”": "''", "‘": "`", "’": "'"}[word]
    elif word == "…":
        word = "..."
    return head + _split_inner(word.replace("’", "'"), pound_as_hash) + tail[::-1]


def _split_leading(word: str, state: dict) -> tuple[list[str], str]:
    """Opening quotes, brackets and ellipses split off the front of a chunk; (tokens, rest)."""
    head: list[str] = []
    while word:
        if _URL.match(word) and not word.endswith((".", ",", ";", ":", "!", "?", ")", '"', "'")):
            break
        first = word[0]
        if word.startswith("``"):
            head.append("``")
            state["double_open"] = True
            word = word[2:]
        elif first in "“«" or first == '"' and (len(word) > 1 or not state["double_open"]):
            head.append("``")
            state["double_open"] = True
            word = word[1:]
        elif first in "‘`" or (first in "'’" and len(word) > 1 and not _ELISIONS.match(word)):
            head.append("`")
            word = word[1:]
        elif first in "([{":
            head.append({"(": "-LRB-", "[": "-LSB-", "{": "-LCB-"}[first])
            word = word[1:]
        elif word.startswith("..."):
            head.append("...")
            word = word[3:]
        elif first == "…":
            head.append("...")
            word = word[1:]
        else:
            break
    return head, word


def _split_trailing(word: str, state: dict, is_last: bool) -> tuple[list[str], str]:
    """Closing quotes, brackets and punctuation split off the end of a chunk; (tokens in
    reverse order, rest)."""
    tail: list[str] = []
    while word:
        last = word[-1]
        if word.endswith("''") and len(word) > 2:
            tail.append("''")
            state["double_open"] = False
            word = word[:-2]
        elif last in "”»" or (last == '"' and (len(word) > 1 or state["double_open"])):
            tail.append("''")
            state["double_open"] = False
            word = word[:-1]
        elif last in "'’" and len(word) > 1 and (word[-3:-1].lower() != "in" or not word[-2].isalnum()):
            # A closing quote or the plural possessive (`players'`), but not `goin'`.
            tail.append("'")
            word = word[:-1]
        elif last in ")]}":
            tail.append({")": "-RRB-", "]": "-RSB-", "}": "-RCB-"}[last])
            word = word[:-1]
        elif word.endswith("...") and len(word) > 3:
            tail.append("...")
            word = word[:-3]
        elif last == "…" and len(word) > 1:
            tail.append("...")
            word = word[:-1]
        elif last in "!?" and len(word) > 1:
            run = len(word) - len(word.rstrip("!?"))
            run = min(run, len(word) - 1) if word.strip("!?") else len(word)
            if run == len(word):
                break  # the whole chunk is `!!!`: one token
            tail.append(word[-run:])
            word = word[:-run]
        elif last in ",;:" and len(word) > 1:
            tail.append(last)
            word = word[:-1]
        elif last == "." and len(word) > 1:
            stem = word[:-1]
            if stem.endswith(".") and len(stem) > 1 and stem != "..":
                tail.append(".")  # `D.C..`: the abbreviation's period, then the sentence's
                word = stem
                continue
            if (
                stem.lower() in _ABBREVIATIONS
                or _INITIALISM.match(stem)
                or (len(stem) == 1 and stem.isupper())
            ):
                if is_last and not tail:
                    tail.append(".")  # the sentence-final period PTB adds after `U.S.`
                break
            tail.append(".")
            word = stem
        else:
            break
    return tail, word


def tokenize_ptb(text: str, *, pound_as_hash: bool = True) -> str:
    """Tokenize cased raw text the way the CNN/DM data was (Stanford PTB), keeping case.

    Splits clitics (`do n't`, `Locke 's`), punctuation, `$ 5`, `5 %`; keeps hyphenated
    compounds, numbers (`100,000`, `3.7`), abbreviations (`Mr.`, `U.S.`) and URLs whole; writes
    quotes as `` `` `` / `''` (double) and `` ` `` / `'` (single), brackets as `-LRB-` etc.,
    em/en dashes as `--`, and `£` as `#` unless `pound_as_hash=False`. Line breaks are kept.
    """
    if not isinstance(text, str):
        raise TypeError(f"tokenize_ptb expects a str, got {type(text).__name__}")
    lines = []
    for line in _INVISIBLE.sub("", text).split("\n"):
        line = _DASHES.sub(" -- ", line)
        line = re.sub(r"(?<=\w)(\.\.\.|…)(?=\w)", r" \1 ", line)
        chunks = _SPACES.sub(" ", line).split()
        state = {"double_open": False}
        tokens: list[str] = []
        for k, chunk in enumerate(chunks):
            tokens.extend(t for t in _split_chunk(chunk, state, k == len(chunks) - 1, pound_as_hash) if t)
        lines.append(" ".join(tokens))
    return "\n".join(lines)
