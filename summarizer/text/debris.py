"""Page debris in plain text: what a web page put around an article that is not the article.

Scraped articles (the AllSides dev pages, `../shared/data/news/allsides_articles.jsonl.gz`) carry
photo and video captions with their credits ("... Photo: Name/Getty Images", "Hide caption",
USA Today's "CLOSE" video blurbs, BBC's "Media playback is unsupported on your device"), CNN's
"Story highlights" block, "Editor's note" lines, author bios and "contributed to this report"
lines, related-story links ("(RELATED: ...)", the Guardian's "... Read more"), audio and share
widgets, affiliate disclaimers and AP shot lists. Any of them chosen as a headline or summary
sentence is a text an editor throws away, so `prepare_article` strips them before any style
reads the text (`strip_debris`), and sentence selection skips what is left (`is_debris`).

Patterns were read off the AllSides dev pages (tests/text/test_debris.py keeps real lines); each
needs a sign that only furniture has (a credit, a widget's words, a position), never a topic word,
so reporting that mentions a photo or a caption stays.
"""

from __future__ import annotations

import re

__all__ = ["is_debris", "strip_debris"]

# A whole line (or sentence) that is furniture from its first words.
_DEBRIS_START = re.compile(
    r"^(?:story highlights\b|media playback is (?:not supported|unsupported)|media caption\b|"
    r"image (?:copyright|caption)\b|(?:photos?: )?hide caption\b|toggle caption\b|enlarge this image\b|"
    r"close\b(?=\s+[A-Z])|(?:file - )?in this .{0,60}\bfile (?:photo|image)\b|photographs? by\b|editor['’]s note\b|file photo:|cover image:|"
    r"listen to (?:this )?article\b|share this article\b|shot ?list\b|"
    r"(?:\(|\[)?(?:related|watch|read more|see also|more|video|listen)\s*:|"
    r"follow @\w+|[\w ]{2,40} is an? (?:independent,? )?(?:nonprofit|non-profit) newsroom\b|follow (?:him|her|them|us) on\b|sign up for\b|subscribe to\b|"
    r"this (?:article|story|post) (?:contains|includes|may contain) affiliate\b|"
    r"(?:we|.{0,40}\bmay) (?:earn|receive) (?:a )?(?:small )?(?:commission|compensation)\b)",
    re.IGNORECASE,
)
# A line that ends on a credit or a widget: the caption or link it closes is furniture too.
_DEBRIS_END = re.compile(
    r"(?:\bcontributed (?:to )?this (?:report|article|story)\b.{0,60}|"
    r"(?:\(|\b)(?:AP|AFP|Reuters|REUTERS|Getty|EPA|Bloomberg) ?(?:Photo|Images?)\b[^.!?]{0,80}|"
    r"\bPhoto(?:graph)?(?: illustration)?: [^.!?]{0,80}|"
    r"\b[A-Z][\w.'’ -]{1,40}/(?:Getty Images|AP|AFP|Reuters|REUTERS|EPA|Bloomberg)[^.!?]{0,40}|"
    r"\bREUTERS/[A-Z][^.!?]{0,60}|"
    r"\((?:AP )?Photos?: [^()]{1,120}\)|\([^()]{1,80}/(?:Reuters|REUTERS|AP|AFP|Getty Images|EPA)\b[^()]{0,40}\)|"
    r"\bRead more|\bPrevious Next\b.{0,60}|\bVideolicious)\s*$"
)
# An author's bio closing an opinion piece: "— David French is a staff writer for ...",
# "Joshua Foust is a freelance journalist ... follow him on Twitter".
_BIO = re.compile(
    r"^(?:[—–-]\s*)?(?:[A-Z][\w.'’-]+ ){1,3}(?:\([^)]*\) )?is (?:(?:a|an|the) )?(?:[\w-]+ ){0,4}"
    r"(?:writer|reporter|correspondent|columnist|editor|contributor|journalist|author|fellow|professor|"
    r"director|analyst|host|producer)\b.*(?:\bfollow (?:him|her|them)\b|@\w+|\.com\b|\bauthor of\b|"
    r"\bat (?:the )?[A-Z][\w.]+|\bfor [A-Z][\w.]+)",
)
# Inline: a caption that ends in a credit before the article's own text starts on the same line
# (USA Today: "A Google sign at ... (Photo: Marcio Jose Sanchez, AP) Story Highlights ...").
_INLINE_CAPTION = re.compile(r"^.{0,400}?\((?:AP )?Photo(?:s)?[:/][^)]{1,120}\)\s*(?:Story Highlights\b\s*)?")
# The lines under a "Story highlights" heading are the highlights themselves, up to the first
# long line or a dateline ("WASHINGTON (CNN) --"); after an inline caption's "Story Highlights",
# the rest of its line is the first highlight when it ends with no sentence punctuation.
_DATELINE = re.compile(r"^(?:\(CNN\)|[A-Z][A-Z .,]+(?:\([A-Z]+\))?\s+(?:-|--|—|–)\s)")
_UNTERMINATED = re.compile(r"[^.!?:;\"'”’)]\s*$")


def is_debris(text: str) -> bool:
    """True if a line or sentence of plain text is page furniture (a caption, credit, widget,
    bio, related link, disclaimer), not reporting."""
    stripped = text.strip()
    if not stripped:
        return False
    return bool(_DEBRIS_START.search(stripped) or _DEBRIS_END.search(stripped) or _BIO.search(stripped))


def strip_debris(text: str) -> str:
    """`text` without its debris lines (`is_debris`), the caption before an article's first words
    on a line, and the highlight lines under a "Story highlights" heading. A text that would be
    left empty is returned as it is (a caption alone is still the user's input)."""
    kept: list[str] = []
    in_highlights = False
    for line in text.splitlines():
        stripped = line.strip()
        # CNN's highlights run 3-4 short lines, some ending "U.S." with a period.
        if in_highlights and stripped and len(stripped.split()) <= 20 and not _DATELINE.match(stripped):
            continue
        heading = re.search(r"\bstory highlights\b", stripped, re.IGNORECASE)
        in_highlights = bool(heading)
        if (heading and heading.start() == 0) or is_debris(stripped):
            continue
        match = _INLINE_CAPTION.match(stripped)
        if match and len(stripped) > match.end():
            line = stripped[match.end():]
            in_highlights = "story highlights" in match.group(0).lower()
            if in_highlights and _UNTERMINATED.search(line):
                continue  # the rest of the line is the first highlight
        kept.append(line)
    if kept == text.splitlines():
        return text  # nothing was debris: the text as given, spacing and all
    cleaned = "\n".join(kept).strip()
    return cleaned if cleaned else text
