"""Syndicated copies of real articles, as outlets reprint wire copy: new headline, cuts, additions, boilerplate."""
from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

OUTLET_BOILERPLATE = (
    ("Sign up for our morning newsletter to get the day's stories first.",
     "Copyright The Harbor Gazette. All rights reserved."),
    ("Follow us on social media for live updates from the region.",
     "This article first appeared on the wire and was edited by our staff."),
    ("Have a news tip? Write to our newsroom, we read every message.",
     "Reporting by our partners; additional reporting by the Ledger desk."),
    ("Read more: our full coverage of the week's top stories.",
     "Subscribe to support independent local journalism."),
)
EDITOR_NOTES = (
    "Editor's note: this story has been updated with a statement released after publication.",
    "Correction: an earlier version of this story misstated the date of the meeting.",
    "The company did not immediately respond to a request for comment on Tuesday.",
)
HEADLINE_EDITS = ("UPDATE: {}", "{} (video)", "Explainer: {}", "{}, officials say", "What we know: {}")


@dataclass(frozen=True)
class Copy:
    """One published copy: which story it is (the group), the outlet, its headline, text and date."""

    story: int
    outlet: int
    title: str
    text: str
    published: str


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n") if p.strip()]


def syndicate(stories: Sequence[tuple[str, str, str]], *, seed: int = 7, outlets: int = 4) -> list[Copy]:
    """Two to four copies of each (title, text, ISO date) story, each on another outlet, edited as reprints are."""
    rng = random.Random(seed)
    copies: list[Copy] = []
    for story, (title, text, published) in enumerate(stories):
        original = paragraphs(text)
        chosen = rng.sample(range(outlets), rng.randint(2, min(4, outlets)))
        for number, outlet in enumerate(chosen):
            body = list(original)
            headline = title
            day = published
            if number:  # the first copy is the original
                headline = rng.choice(HEADLINE_EDITS).format(title)
                if len(body) > 4 and rng.random() < 0.6:  # a paragraph cut for length
                    del body[rng.randrange(1, len(body))]
                if len(body) > 6 and rng.random() < 0.3:  # the tail cut off
                    body = body[: max(4, int(len(body) * 0.75))]
                if rng.random() < 0.5:  # a paragraph added
                    body.insert(rng.randint(1, len(body)), rng.choice(EDITOR_NOTES))
                day = _later(published, days=rng.randint(0, 2))
            lead, tail = OUTLET_BOILERPLATE[outlet]
            copies.append(Copy(story=story, outlet=outlet, title=headline, published=day,
                               text="\n\n".join([*body, lead, tail])))
    return copies


def _later(iso_date: str, *, days: int) -> str:
    return (date.fromisoformat(iso_date[:10]) + timedelta(days=days)).isoformat()
