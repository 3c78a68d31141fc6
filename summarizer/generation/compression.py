"""Compressions of one article sentence that say nothing the sentence does not: its own words in
its own order, less modifiers that may go, plus a short list of safe headline conventions.

A 135M model that writes a headline freely gets who-did-what-to-whom wrong in one in four
(`../shared/protocols/headline_judging.md`); one that chooses among these cannot. What may be
dropped is read off the sentence's dependency parse (`summarizer.text.parsing`), in units:

- parentheticals and dashed asides; appositions ("Bill Smith, *the bank's chief,* said");
  non-restrictive relative clauses (", *who* ..."); participle clauses after a comma (", *saying*
  ..."); an adverbial clause (", *after* talks failed"), but never a condition ("if", "unless",
  "until", "whether", "once");
- phrases of time ("on Thursday", "last week"); a place after the verb ("in Ohio"); a framing
  phrase before the subject set off by a comma ("In a speech to donors, ..."); "amid",
  "despite", "following" phrases; a second verb phrase joined by "and" (its own claim);
- a few adverbs that carry no claim ("also", "meanwhile", "however").

Never dropped: negations, modals and the auxiliaries of tense, the verb and its subject and
objects, a complement clause ("says *that* ..." keeps what was said), attributions ("according
to"), qualifiers ("only", "nearly", "reportedly") and any word inside a quotation. Headline
conventions (`headline=True`): articles dropped ("the", "a", "an"), the passive's "was/has been"
dropped ("X was arrested" -> "X arrested"), "said" -> "says", the complementizer "that" after a
verb of saying dropped. Every compression is a complete clause: it keeps the main verb, its
subject and its objects, and never ends on a preposition, article, auxiliary or conjunction.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Compression", "compressions", "headline_source", "sentence_units"]

_CONDITIONS = frozenset("if unless until whether once provided providing lest".split())
_DROPPABLE_ADVERBS = frozenset("also meanwhile however too though additionally furthermore moreover".split())
_DROPPABLE_PREPS = frozenset("amid amidst despite following after before during since while upon".split())
# Words that open a sentence by linking it to the one before ("But", "However,").
_OPENING_LINKS = frozenset("but and so yet or still now then however meanwhile also instead".split())
_FRAMING_PREPS = frozenset("amid amidst despite following".split())
# Verbs whose clause after them is their complement, not an aside ("seems like he could ride ...").
_LINKING_VERBS = frozenset("seem seems seemed appear appears appeared look looks looked sound sounds sounded "
                           "feel feels felt become becomes became".split())
_PLACE_PREPS = frozenset({"in", "at"})
_TIME_ENTS = frozenset({"DATE", "TIME"})
_PLACE_ENTS = frozenset({"GPE", "LOC", "FAC"})
_ARTICLES = frozenset({"the", "a", "an"})
_TITLES = frozenset(
    "president sen. senator gov. governor rep. representative mr. mrs. ms. dr. secretary chancellor "
    "mayor gen. general judge justice speaker chairman chairwoman ceo".split()
)
_SAY_VERBS = frozenset("say said says tell told announce announced report reported".split())
_PRONOUN_SUBJECTS = frozenset(
    "i we you he she they it this that these those there one who much many some all both each none "
    "everyone everybody someone somebody something nothing anyone".split()
)
_SUBJECTS = frozenset({"nsubj", "nsubjpass", "csubj", "csubjpass", "expl"})
_QUOTES = "\"“”‘’'«»`"
# A compression does not end on these parts of speech / dependencies: it would stop mid-phrase.
_NO_END_TAGS = frozenset({"DT", "IN", "CC", "TO", "MD", "PRP$", "WDT", "WP", "WRB", "POS", "HYPH", "PDT"})
_NO_END_DEPS = frozenset({"aux", "auxpass", "mark", "cc", "det", "prep", "case", "poss", "neg"})
# What a kept word cannot lose: its subject, objects, complements, negation ("bracing" without
# "for Obama to blame them", "seems" without "to be").
_CORE = frozenset({
    "nsubj", "nsubjpass", "csubj", "csubjpass", "dobj", "iobj", "dative", "attr", "acomp", "oprd",
    "ccomp", "xcomp", "pobj", "pcomp", "agent", "prt", "neg", "expl", "case",
})
_OBJECTS = frozenset({"dobj", "iobj", "dative", "attr", "acomp", "oprd", "ccomp", "xcomp", "prep"})
_LIGHT_VERBS = frozenset("come comes came go goes went get gets got make makes made take takes took do does did "
                         "be is are was were".split())
# Verbs that set a scene for what follows them ("came on the air and announced ...").
# (Word forms: the parse runs without its lemmatizer, `summarizer.text.parsing`.)
_SCENE_VERBS = frozenset(
    "come comes came go goes went take takes took step steps stepped stand stands stood sit sits sat walk "
    "walks walked appear appears appeared arrive arrives arrived return returns returned gather gathered".split()
)
# Bodies one appears before: a "before" phrase with one of these says where, not when.
_GROUP_NOUNS = frozenset("mps committee committees court judge judges congress parliament lawmakers senators "
                         "voters jury panel board public cameras audience crowd".split())
# More optional units than this are not enumerated; the smallest of the rest are dropped.
_MAX_OPTIONAL = 10


@dataclass(frozen=True)
class Compression:
    """One compression of an article sentence."""

    text: str
    words: int
    # Index of the source sentence among those offered.
    sentence: int
    # What the choice weighs (`summarizer.generation.choice`), read off the parse: names kept;
    # pronouns kept with nothing in the text to point at ("it", "this", "his" before any name);
    # a first-person word; words before the subject ("On Sunday, ..."); a main verb "be";
    # and (set by the caller) a subject that points back at earlier text ("the campaign").
    names: int = 0
    unresolved: int = 0
    first_person: bool = False
    opens: bool = False
    copular: bool = False
    anaphoric: bool = False
    # The source sentence's score as the article's main point (`summarizer.generation.point`; set by the caller).
    point: float = 0.0


def _quoted_tokens(sent: Any) -> set[int]:
    """Token indices inside a quotation (between quote marks) in `sent`."""
    inside: set[int] = set()
    open_at: int | None = None
    for tok in sent:
        if tok.tag_ == "POS":
            continue  # the players’ union: an apostrophe, not a quotation mark
        if tok.text in _QUOTES or tok.text in ("``", "''"):
            if open_at is None:
                open_at = tok.i
            else:
                inside.update(range(open_at, tok.i + 1))
                open_at = None
    return inside


def _span_with_commas(sent: Any, tokens: set[int]) -> set[int]:
    """`tokens` with the punctuation that sets them off: the comma (or dash) before them and,
    for a paired aside ("X, the bank's chief, said") or an opening phrase ("In 2011, X"), the one
    after, so that dropping them leaves no dangling punctuation."""
    if not tokens:
        return tokens
    marks = {",", "—", "–", "--"}
    first, last = min(tokens), max(tokens)
    unit = set(tokens)
    doc = sent.doc
    before = doc[first - 1] if first - 1 >= sent.start else None
    after = doc[last + 1] if last + 1 < sent.end else None
    opened = before is not None and before.text in marks | {"-"}
    if opened:
        unit.add(before.i)
    if after is not None and after.text in marks and (before is None or (opened and after.text == before.text)):
        unit.add(after.i)
    return unit


def _glued(sent: Any, unit: set[int]) -> bool:
    """True when `unit` is part of a written word ("62-year-old", "U.S.-led"): dropping it would
    leave half a word."""
    doc = sent.doc
    first, last = min(unit), max(unit)
    prev = doc[first - 1] if first > sent.start else None
    after = doc[last + 1] if last + 1 < sent.end else None

    def wordlike(tok: Any) -> bool:
        return tok.is_alpha or tok.is_digit or tok.text in "-–/"

    if prev is not None and not prev.whitespace_ and wordlike(prev) and wordlike(doc[first]):
        return True
    return after is not None and not doc[last].whitespace_ and wordlike(after) and wordlike(doc[last])


def _closed(sent: Any, tokens: set[int]) -> bool:
    """Whether the phrase `tokens` ends the sentence or is followed by a comma or dash."""
    after = max(tokens) + 1
    return after >= sent.end or sent.doc[after].is_punct and sent.doc[after].text in {",", "—", "–", "--", ".", ";"}


def _subtree(tok: Any) -> set[int]:
    return {t.i for t in tok.subtree}


def _is_time(tok: Any) -> bool:
    """`tok` names a time: itself a date or time, or a preposition whose object is one ("on
    Thursday"; not "on an offer ... on Wednesday", where a date sits deeper in the phrase)."""
    objects = [c for c in tok.children if c.dep_ == "pobj"] if tok.dep_ == "prep" else [tok]
    return bool(objects) and objects[0].ent_type_ in _TIME_ENTS


def _unit_for(tok: Any, sent: Any, subject_start: int | None) -> set[int] | None:
    """The tokens dropped with `tok` if its phrase may go, else None."""
    dep, lower = tok.dep_, tok.lower_
    prev = tok.doc[tok.left_edge.i - 1] if tok.left_edge.i > sent.start else None
    after_comma = prev is not None and prev.text in {",", "—", "–", "--"}
    if dep == "appos":
        # A description may go ("Bill Smith, the bank's chief,"); a name may not: names after a
        # name are as often a list misread as an apposition ("Dallaglio, Back and Johnson").
        # And only one set off by a comma or dash ("those infected in Australia, at 90%, the most
        # willing to pay" has no aside to drop).
        # And only one closed as well as opened: "For the average American, the status quo ...
        # is" is the subject misread as an aside, not an aside.
        if tok.pos_ == "PROPN" or not after_comma or not _closed(sent, _subtree(tok)):
            return None
        return _span_with_commas(sent, _subtree(tok))
    if dep == "relcl" and after_comma:
        return _span_with_commas(sent, _subtree(tok))
    if _closing_aside(tok, sent):
        return _span_with_commas(sent, _subtree(tok))
    if dep == "advcl":
        # A condition stays ("will reopen if ..."); any other adverbial clause may go.
        marks = {c.lower_ for c in tok.children if c.dep_ in ("mark", "advmod")}
        opening = " ".join(t.lower_ for t in tok.doc[max(sent.start, tok.left_edge.i - 2): tok.left_edge.i + 3])
        if marks & _CONDITIONS or "as long as" in opening or "so long as" in opening:
            return None
        if tok.head.lower_ in _LINKING_VERBS or any(c.dep_ == "mark" and c.lower_ == "like" for c in tok.children):
            return None
        infinitive = any(c.dep_ in ("aux", "mark") and c.lower_ in ("to", "for") for c in tok.children)
        if infinitive and tok.i > tok.head.i and not after_comma:
            return None  # "bracing for Obama to blame them": the verb's complement, not an aside
        # After its verb, a clause goes only when a comma or a subordinator ("as", "after",
        # "because") marks it: a bare one is as often a misparse ("summon Giuliani associate Lev
        # Parnas" read with "associate" as a verb) whose dropping changes who is meant.
        if tok.i > tok.head.i and not after_comma and not any(c.dep_ == "mark" for c in tok.children):
            return None
        unit = _subtree(tok)
        # "With time ticking down, ...": the parse may hang "With" on the verb, childless; it
        # goes with its clause ("With, Obama has ..." is no sentence).
        if prev is not None and prev.dep_ == "prep" and not any(prev.children):
            unit.add(prev.i)
        return _span_with_commas(sent, unit)
    # Only after a comma: a participle right after its noun restricts it ("a tax hike on
    # families making over $250,000" is not "a tax hike on families").
    if dep == "acl" and after_comma and tok.tag_ in ("VBG", "VBN"):
        return _span_with_commas(sent, _subtree(tok))
    if dep == "advmod" and lower == "ago" and any(c.dep_ == "npadvmod" and _is_time(c) for c in tok.children):
        return _span_with_commas(sent, _subtree(tok))  # "a few days ago" goes whole, not "so long ago that"
    # "aged 62" is an age, not a date ("has died aged" says nothing).
    after_age = prev is not None and prev.lower_ in ("aged", "age")
    if dep in ("npadvmod", "tmod") and _is_time(tok) and tok.head.lower_ != "ago" and not after_age:
        return _span_with_commas(sent, _subtree(tok))
    if dep == "prep":
        if lower == "according":
            return None
        pobj_time = _is_time(tok) and lower in ("on", "in", "at", "during", "since", "this", "last")
        # "Of the 12 regions, 11 showed ...": a partitive "of" is the subject's, not a frame.
        # Never when the subject follows its verb: "At the heart of the rage ... is Bernie
        # Sanders" fronts the predicate, not a frame.
        leading = (subject_start is not None and tok.head.dep_ == "ROOT" and tok.i < subject_start
                   and subject_start < tok.head.i and lower != "of")
        objects = [c for c in tok.children if c.dep_ == "pobj"]
        # Where the main event happened may go; a place inside a modifier qualifies it ("a singer
        # hoping to perform in the US can expect to pay $1,300").
        place = (lower in _PLACE_PREPS and bool(objects) and objects[0].ent_type_ in _PLACE_ENTS
                 and tok.head.dep_ == "ROOT")
        # "after talks failed" may go from a verb; "in the months before the attack" is not
        # "in months" ("amid", "despite" and "following" frame whatever they follow).
        sequence = lower in _DROPPABLE_PREPS and (tok.head.pos_ in ("VERB", "AUX") or lower in _FRAMING_PREPS)
        if sequence and lower not in _FRAMING_PREPS and not _event_phrase(tok):
            sequence = False  # "will appear before MPs" is where, not when
        if pobj_time or sequence or place or (leading and _next_is_comma(tok)):
            return _span_with_commas(sent, _subtree(tok))
        return None
    if dep == "compound" and lower in _TITLES and tok.head.pos_ == "PROPN" and tok.i < tok.head.i \
            and all(t.dep_ == "compound" for t in tok.doc[tok.i:tok.head.i]) \
            and all(t.dep_ in ("det", "punct") for t in tok.doc[tok.head.left_edge.i:tok.i]):
        # "President Donald Trump" -> "Donald Trump": the title, never the name.
        return {tok.i}
    if dep == "advmod" and lower in _DROPPABLE_ADVERBS:
        return _span_with_commas(sent, {tok.i})
    if dep == "conj" and tok.pos_ in ("VERB", "AUX") and tok.head.pos_ in ("VERB", "AUX") and tok.i > tok.head.i:
        # "X did A and B" -> "X did A" (still true); never after "or"/"nor" (a choice), nor
        # inside a condition ("if he went out on Fifth Avenue and shot someone").
        if any(c.dep_ == "cc" and c.lower_ not in ("and", "but") for c in tok.head.children):
            return None
        if _in_condition(tok):
            return None
        # "to subpoena the White House ... and ousted FBI Director James Comey": a past form
        # joined to a bare verb is a misparse (here a noun phrase's adjective), not a second event.
        if tok.head.tag_ == "VB" and tok.tag_ in ("VBD", "VBN"):
            return None
        # "came on the air and announced he was retiring": a first verb that sets the scene
        # leaves the news to the second.
        if tok.head.lower_ in _SCENE_VERBS:
            return None
        # "arm and equip Syrian rebels": the object after the second verb is the first's too.
        bare_head = not any(c.i > tok.head.i and c.dep_ not in ("cc", "conj", "punct") for c in tok.head.children)
        if bare_head and any(c.dep_ in _OBJECTS for c in tok.children):
            return None
        unit = _subtree(tok)
        between = [t for t in tok.doc[tok.head.i + 1: tok.left_edge.i] if t.dep_ in ("cc",) or t.text == ","]
        unit.update(t.i for t in between if t.i >= tok.left_edge.i - 2)
        return unit
    return None


def _closing_aside(tok: Any, sent: Any) -> bool:
    """A phrase set off by a comma or dash that ends the sentence and comments on the clause
    before it, which stands without it: a noun phrase the parse hangs on the main verb as a
    second object (", a strategy that may ...", "— a resounding victory for labor") or a "with"
    clause ("..., with each saying the other is adrift")."""
    before = tok.left_edge.i - 1
    after_comma = before >= sent.start and tok.doc[before].text in {",", "—", "–", "--"}
    if not after_comma or tok.head.dep_ != "ROOT" or tok.i < tok.head.i or tok.right_edge.i < _last_word(sent):
        return False
    if tok.dep_ == "dobj" and tok.pos_ == "NOUN":
        return any(c.dep_ == "dobj" and c.i < tok.left_edge.i for c in tok.head.children)
    if tok.dep_ == "prep" and tok.lower_ == "with":
        return any(c.dep_ == "pcomp" or any(g.dep_ in ("acl", "nsubj") for g in c.children) for c in tok.children)
    return False


def _last_word(sent: Any) -> int:
    """Index of the last token of `sent` that is not punctuation."""
    words = [t.i for t in sent if not t.is_punct]
    return words[-1] if words else sent.end - 1


def _event_phrase(prep: Any) -> bool:
    """"after adding protections", "before the recall", "since 2012": a preposition of sequence
    whose object is a clause, a time or an event, not a person or body ("before MPs")."""
    if any(c.dep_ == "pcomp" for c in prep.children):
        return True
    objects = [c for c in prep.children if c.dep_ == "pobj"]
    if not objects:
        return False
    obj = objects[0]
    if obj.ent_type_ in ("DATE", "TIME", "EVENT"):
        return True
    return obj.pos_ == "NOUN" and not obj.ent_type_ and obj.lower_ not in _GROUP_NOUNS


def _in_condition(tok: Any) -> bool:
    """True when `tok` is inside an adverbial clause of condition ("if", "unless", ...)."""
    for head in tok.ancestors:
        if head.dep_ == "advcl" and any(c.dep_ in ("mark", "advmod") and c.lower_ in _CONDITIONS for c in head.children):
            return True
    head = tok.head
    return head.dep_ == "advcl" and any(c.lower_ in _CONDITIONS for c in head.children)


def _next_is_comma(tok: Any) -> bool:
    right = tok.right_edge.i + 1
    return right < tok.sent.end and tok.doc[right].text == ","


def _parentheticals(sent: Any) -> list[set[int]]:
    units, open_at = [], None
    for tok in sent:
        if tok.text == "(":
            open_at = tok.i
        elif tok.text == ")" and open_at is not None:
            units.append(set(range(open_at, tok.i + 1)))
            open_at = None
    return units


def _subject_start(root: Any) -> int | None:
    subjects = [c for c in root.children if c.dep_ in _SUBJECTS]
    return min(c.left_edge.i for c in subjects) if subjects else None


def sentence_units(sent: Any, *, headline: bool) -> tuple[list[set[int]], set[int], dict[int, str]]:
    """(optional units, tokens always dropped, tokens rewritten) for one parsed sentence."""
    root = sent.root
    quoted = _quoted_tokens(sent)
    subject_start = _subject_start(root)
    units: list[set[int]] = []
    for tok in sent:
        if tok.i == root.i or tok.i in quoted:
            continue
        unit = _unit_for(tok, sent, subject_start)
        if unit and unit & quoted:
            # A unit may hold whole quotations (with their marks), never part of one.
            words = {i for i in quoted if not sent.doc[i].is_punct}
            unit = unit | quoted if words <= unit else None
        if unit and not _glued(sent, unit):
            units.append(unit)
    units.extend(p for p in _parentheticals(sent) if not p & quoted)
    always: set[int] = {t.i for t in sent if t.is_punct and t.i == sent.end - 1 and t.text in ".!;"}
    # "WASHINGTON—Businesses won ...": a dateline the text kept.
    for tok in sent[:4]:
        if tok.text in ("—", "–", "--", "-") and all(t.is_upper or t.is_punct for t in sent.doc[sent.start:tok.i]) \
                and tok.i > sent.start:
            always.update(range(sent.start, tok.i + 1))
            break
    # "But the problem remains" -> "Problem remains": an opening conjunction links to the text
    # before; "No, ..." answers it.
    first = sent[0]
    if first.dep_ == "intj" or (first.dep_ in ("cc", "advmod") and first.lower_ in _OPENING_LINKS):
        always.add(first.i)
        if first.i + 1 < sent.end and sent.doc[first.i + 1].text == ",":
            always.add(first.i + 1)
    rewrite: dict[int, str] = {}
    if headline:
        for tok in sent:
            if tok.i in quoted:
                continue
            article = tok.dep_ == "det" and tok.lower_ in _ARTICLES
            said_that = (tok.dep_ == "mark" and tok.lower_ == "that" and tok.head.dep_ == "ccomp"
                         and tok.head.head.lower_ in _SAY_VERBS)
            if article or said_that:
                always.add(tok.i)
            elif tok.lower_ == "said" and tok.tag_ in ("VBD", "VBN"):
                _says(tok, always, rewrite)
        always |= _passive_auxiliaries(root)
    return units, always, rewrite


def _says(tok: Any, always: set[int], rewrite: dict[int, str]) -> None:
    """"said" -> "says"; "has said" -> "says", "have said" -> "say" (the headline's present of
    reporting); a "said" under a modal or "had" stays as it is."""
    auxes = [c for c in tok.children if c.dep_ == "aux"]
    if tok.tag_ == "VBN" and [a.lower_ for a in auxes] not in (["has"], ["have"]):
        return
    if tok.tag_ == "VBD" and auxes:
        return
    subjects = [c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")]
    plural = (bool(auxes) and auxes[0].lower_ == "have") or any(
        c.tag_ in ("NNS", "NNPS") or any(g.dep_ == "conj" for g in c.children) or c.lower_ in ("they", "we")
        for c in subjects
    )
    always.update(a.i for a in auxes)
    word = "say" if plural else "says"
    rewrite[tok.i] = word.capitalize() if tok.text[0].isupper() else word


def _passive_auxiliaries(root: Any) -> set[int]:
    """"was" / "has been" of a passive main verb ("X was arrested" -> "X arrested"); none when a
    modal or "will" is among them (the tense or modality would go)."""
    auxes = [c for c in root.children if c.dep_ in ("aux", "auxpass")]
    if not any(c.dep_ == "auxpass" for c in auxes) or root.tag_ != "VBN":
        return set()
    if any(c.tag_ == "MD" or c.lower_ in ("will", "to", "being", "had") for c in auxes):
        return set()  # nor "had been thought": the past perfect is not the headline's past
    if any(c.dep_ == "neg" for c in root.children):
        return set()
    first = min(c.i for c in auxes)
    if first > root.sent.start and root.doc[first - 1].pos_ in ("VERB", "AUX"):
        return set()  # "cannabis to be bought was purchased" is not "... bought purchased"
    return {c.i for c in auxes}


def headline_source(sent: Any, *, strict: bool = True) -> bool:
    """Whether a parsed sentence can carry a headline: a statement with a finite main verb and a
    subject that names someone or something (not "he", "I", "it"), not a question. `strict`:
    nor a subject that points back at text before it ("the country", "that effort")."""
    text = sent.text.strip()
    # A quotation as the news is someone's words, not the news; a dash opens a dateline's rest.
    if not text or text[0] in "—–-" + _QUOTES or text.rstrip(_QUOTES + ")").endswith("?"):
        return False
    root = sent.root
    if root.pos_ not in ("VERB", "AUX"):
        return False
    subjects = [c for c in root.children if c.dep_ in _SUBJECTS]
    if not subjects:
        return False
    subject = subjects[0]
    if subject.lower_ in _PRONOUN_SUBJECTS and subject.n_lefts == 0 and subject.n_rights == 0:
        return False
    if strict and _anaphoric(subject):
        return False
    return root.tag_ not in ("VB", "VBG") or any(c.dep_ in ("aux", "auxpass") for c in root.children)


def _anaphoric(subject: Any) -> bool:
    """A subject that points back at text the headline lacks: "the country", "that effort",
    "his campaign" (a common noun with only a determiner or possessive before it)."""
    if subject.pos_ != "NOUN" or subject.n_rights:
        return False
    lefts = list(subject.lefts)
    return bool(lefts) and all(
        (t.dep_ == "det" and t.lower_ in ("the", "this", "that", "these", "those")) or t.tag_ == "PRP$" for t in lefts
    )


def _render(sent: Any, keep: Sequence[bool], rewrite: dict[int, str]) -> str:
    parts: list[str] = []
    previous = None
    for tok, kept in zip(sent, keep, strict=True):
        if not kept:
            continue
        if previous is not None:
            # Words that met across a dropped phrase get a space ("Laguarta, 54, will" -> "Laguarta will").
            parts.append(previous.whitespace_ if tok.i == previous.i + 1 else " ")
        parts.append(rewrite.get(tok.i, tok.text))
        previous = tok
    text = "".join(parts)
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s+([,;:.!?%)\]’”])", r"\1", text)
    text = re.sub(r"([(\[“‘])\s+", r"\1", text)
    text = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", text)
    text = re.sub(r"^[\s,;:—–…-]+|(?:[\s,;:—–…-]|\.\.\.)+$", "", text)
    # A quotation closed on a comma ('... a "show vote,"') hangs on the words it introduced.
    return "" if re.search(r"[,;:][\"”’']$", text) else text


def _reattaches(sent: Any, keep: Sequence[bool]) -> bool:
    """True when a phrase dropped from inside the sentence (not set off by a comma or dash) is
    followed by a kept prepositional phrase, which then reads as the words' before it: "take no
    action [following his sending-off] in Sunday's final" is not "no action in the final"
    (whatever the parse attached it to); or when the gap brings two names together."""
    tokens = list(sent)
    for i in range(1, len(tokens) - 1):
        if keep[i] or not keep[i - 1]:
            continue
        end = i
        while end < len(tokens) and not keep[end]:
            end += 1
        if end == len(tokens):
            return False
        opened = tokens[i].is_punct or tokens[i - 1].is_punct
        # A bare time word ("marched [Sunday] through Moscow") moves nothing; a phrase does.
        phrase = any(t.dep_ == "prep" or t.pos_ in ("VERB", "AUX") for t in tokens[i:end])
        if not opened and phrase and tokens[end].dep_ == "prep":
            return True
        # Two names brought together read as one: "Terry Melcher[, who was behind hits by the
        # Byrds,] Ry Cooder and the Beach Boys".
        if tokens[i - 1].pos_ == "PROPN" and tokens[end].pos_ == "PROPN":
            return True
    return False


def _well_formed(sent: Any, keep: Sequence[bool]) -> bool:
    """The compression keeps every kept word's subject, objects and complements, ends on a word
    that closes a phrase, and its quotes, brackets and dashes balance."""
    kept = [tok for tok, k in zip(sent, keep, strict=True) if k and not tok.is_punct]
    if not kept:
        return False
    start = sent.start
    for tok in kept:
        # An object the parse made of a closing aside (", a strategy that ...") may go.
        if any(c.dep_ in _CORE and not keep[c.i - start] and not _closing_aside(c, sent) for c in tok.children):
            return False
    if _reattaches(sent, keep):
        return False
    # "Tuesday, longtime MSNBC host ...": one word left of an opening phrase, still set off.
    if kept[0].i > sent.start and not keep[kept[0].i - 1 - start] and kept[0].i + 1 < sent.end \
            and keep[kept[0].i + 1 - start] and sent.doc[kept[0].i + 1].text == ",":
        return False
    last = kept[-1]
    # "for families making less than that": a determiner standing as a noun closes its phrase.
    pronoun = last.tag_ == "DT" and last.dep_ in ("pobj", "dobj", "nsubj", "attr")
    if (last.tag_ in _NO_END_TAGS and not pronoun) or last.dep_ in _NO_END_DEPS:
        return False
    # "legislation published [last week]": a participle that ends the text once what followed
    # it is gone leaves the reader waiting.
    if last.tag_ in ("VBN", "VBG") and last.dep_ in ("acl", "relcl") and any(
        c.i > last.i and not keep[c.i - start] for c in last.children
    ):
        return False
    # "Pence's remarks come": a light verb says nothing once what followed it is gone.
    if last.lower_ in _LIGHT_VERBS:
        return False
    text = " ".join(tok.text for tok, k in zip(sent, keep, strict=True) if k)
    if text.count("(") != text.count(")") or text.count("[") != text.count("]"):
        return False
    dashes = sum(text.count(d) for d in ("—", "–", "--"))
    if dashes % 2 and sum(sent.text.count(d) for d in ("—", "–", "--")) % 2 == 0:
        return False  # one dash of a pair: "The dispute — began ..."
    straight = text.count('"') % 2 == 0
    curly = text.count("“") == text.count("”")
    return straight and curly


def compressions(sent: Any, index: int, *, max_words: int, headline: bool, limit: int = 12) -> list[Compression]:
    """Up to `limit` compressions of `sent` within `max_words` words, longest first (most of the
    sentence kept), each a complete clause. Empty when none fits."""
    units, always, rewrite = sentence_units(sent, headline=headline)
    units = _nest_free(units)
    forced: set[int] = set(always)
    if len(units) > _MAX_OPTIONAL:
        units.sort(key=len, reverse=True)
        for unit in units[_MAX_OPTIONAL:]:
            forced |= unit
        units = units[:_MAX_OPTIONAL]
    seen: set[str] = set()
    found: list[Compression] = []
    for dropped in _subsets(units):
        gone = forced.union(*dropped) if dropped else forced
        keep = _without_final_stop(sent, [tok.i not in gone for tok in sent])
        words = sum(1 for tok, k in zip(sent, keep, strict=True) if k and not tok.is_punct)
        if words > max_words or words == 0 or not _well_formed(sent, keep):
            continue
        text = _render(sent, keep, rewrite)
        if text and text not in seen:
            seen.add(text)
            found.append(Compression(text, len(text.split()), index, **_traits(sent, keep)))
    found.sort(key=lambda c: -c.words)
    return found[:limit]


_BE = frozenset({"is", "are", "was", "were", "be", "been", "'s", "’s"})
_POINTING = frozenset({"it", "its", "this", "these", "those"})
_PERSONAL = frozenset({"he", "him", "his", "she", "her", "they", "them", "their"})
_FIRST_PERSON = frozenset({"i", "me", "my", "we", "us", "our"})


def _traits(sent: Any, keep: Sequence[bool]) -> dict[str, Any]:
    """The parse-read traits of one compression (`Compression`'s fields after `sentence`)."""
    kept = [tok for tok, k in zip(sent, keep, strict=True) if k and not tok.is_punct]
    unresolved, named = 0, False
    for tok in kept:
        named = named or tok.pos_ == "PROPN"
        pointing = tok.lower_ in _POINTING and tok.dep_ != "expl"
        if pointing or (tok.lower_ in _PERSONAL and not named):
            unresolved += 1
    subject_start = _subject_start(sent.root)
    return {
        "names": sum(tok.pos_ == "PROPN" for tok in kept),
        "unresolved": unresolved,
        "first_person": any(tok.lower_ in _FIRST_PERSON and tok.pos_ == "PRON" for tok in kept),
        "opens": subject_start is not None and kept[0].i < subject_start,
        "copular": sent.root.lower_ in _BE,
    }


def _without_final_stop(sent: Any, keep: list[bool]) -> list[bool]:
    """`keep` less a sentence's final stop left last once the quotes after it went ('air."')."""
    kept = [tok for tok, k in zip(sent, keep, strict=True) if k]
    if kept and kept[-1].text in ".!;" and kept[-1].i < sent.end - 1 \
            and all(t.is_punct for t in sent.doc[kept[-1].i + 1: sent.end]):
        keep = list(keep)
        keep[kept[-1].i - sent.start] = False
    return keep


def _nest_free(units: list[set[int]]) -> list[set[int]]:
    """Units without duplicates; a unit inside another stays (it may go alone)."""
    out: list[set[int]] = []
    for unit in sorted(units, key=len, reverse=True):
        if unit not in out:
            out.append(unit)
    return out


def _subsets(units: Sequence[set[int]]) -> Iterable[tuple[set[int], ...]]:
    for size in range(len(units) + 1):
        yield from itertools.combinations(units, size)
