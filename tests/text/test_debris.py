"""Page debris (captions, credits, widgets, bios, related links) found in plain text; real lines
from the AllSides dev pages (../shared/data/news/allsides_articles.jsonl.gz, split=dev)."""

from __future__ import annotations

import pytest

from summarizer.casing.wire import prepare_article
from summarizer.text.debris import is_debris, strip_debris

DEBRIS = [
    "Media playback is unsupported on your device Media caption Hurricane Irma moves towards Florida",
    "Hide caption Kim and Moon walk away after posing for photos in front of Bukhansan Peace House. "
    "Previous Next Korea Summit Press Pool/Getty Images",
    "CLOSE Sen. Rob Portman met with Supreme Court nominee Merrick Garland - but will block a vote on him. Videolicious",
    "Fox News' Catherine Herridge contributed to this report",
    "Editor's note: The following column originally appeared on Facebook on September 26.",
    "FILE PHOTO: U.S. President Donald Trump speaks to the press aboard Air Force One, June 29, 2018. REUTERS/Eric Thayer",
    "Lev Parnas exits after a bail hearing at the Manhattan Federal Court in New York, December 17, 2019. "
    "(Brendan McDermid/Reuters)",
    "Republican presidential candidate Ted Cruz (Photo: Alex Sanz, AP)",
    "— David French is a staff writer for National Review, a senior fellow at the National Review Institute.",
    "Glenn Thrush is senior staff writer at Politico Magazine.",
    "(RELATED: Minneapolis Mayor Responds To Trump Calling Him 'Very Weak' As His City Burns)",
    "John McCain funeral: Obama's eulogy denounces 'insult and bombast' in politics Read more",
    "LISTEN TO ARTICLE 4:07 SHARE THIS ARTICLE Share Tweet Post Email",
    "Follow @OrenDorell on Twitter",
    "ProPublica is a nonprofit newsroom that investigates abuses of power.",
]
REPORTING = [
    "Donald Trump has poured fresh scorn on US intelligence claims of Russian hackers meddling in the US election.",
    "Former President George W. Bush posted a photo of his parents boarding Marine One with the caption, \"Jeb, Neil\".",
    "Several NFL players fired back at Trump on Twitter, while commissioner Roger Goodell issued a statement.",
    "Sulzberger's letter to subscribers promises that the paper will strive to understand all political perspectives.",
    "2. Who exactly will Trump's event benefit — and how much will be raised?",
    "Donald Trump is the president of the United States.",
]


@pytest.mark.parametrize("line", DEBRIS)
def test_furniture_is_debris(line):
    assert is_debris(line)


@pytest.mark.parametrize("line", REPORTING)
def test_reporting_is_not_debris(line):
    assert not is_debris(line)


def test_story_highlights_block_goes_with_its_heading():
    text = (
        "Story highlights Obama cancels military exercises with Egypt, says U.S. might take further steps\n"
        "U.S.-Egyptian military exercise would have involved thousands of American air and ground forces\n"
        "U.S. law restricts aid in instances of military coup; Egypt gets more than $1 billion from U.S.\n"
        "President Barack Obama announced Thursday that the United States has canceled joint military training "
        "exercises with the Egyptian military and alluded to further steps.\n"
    )
    assert strip_debris(text).startswith("President Barack Obama announced Thursday")


def test_inline_caption_before_the_article_goes():
    text = ("A Google sign at the company's headquarters. (Photo: Marcio Jose Sanchez, AP) Story Highlights "
            "Red Hat and Oracle also helping effort\nA former presidential innovation fellow also on board\n"
            "WASHINGTON — An engineer from technology giant Google has been recruited to help fix HealthCare.gov.")
    assert strip_debris(text) == "WASHINGTON — An engineer from technology giant Google has been recruited to help fix HealthCare.gov."


def test_a_text_that_is_all_debris_is_returned_as_given():
    assert strip_debris("Hide caption") == "Hide caption"


def test_prepare_article_drops_debris_before_any_style_reads_it():
    text = ("Media playback is unsupported on your device Media caption The huge blast caused widespread damage\n"
            "A huge explosion has hit the port of Beirut, killing dozens of people.\n"
            "Fox News' Elizabeth Zwirz contributed to this report.")
    assert prepare_article(text).text == "A huge explosion has hit the port of Beirut, killing dozens of people."
