"""The negative gate's lower-cased member-panel search answers exactly what the case-insensitive regex does."""
from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from monitor.extract.comments.gate import _MEMBER_PANEL_RE, member_panel

# The words of _MEMBER_PANEL_RE, whole and as "posts: 12" counts.
PHRASES = ["private nachricht", "private message", "beiträge anzeigen", "view profile", "view public profile",
           "find all posts", "find more posts", "registriert seit", "mitglied seit", "join date", "joined date",
           "member since", "inscrit le", "registrado desde", "iscritto dal", "lid sinds", "dołączył",
           "beiträge: 3", "posts:12", "messages : 7", "mensajes: 1", "berichten:\t40", "postów: 5"]
# Letters that IGNORECASE matches otherwise than lower() maps them (İ ı ſ K), and others whose case is odd.
SPECIAL = ["\u0130", "\u0131", "\u017f", "\u212a", "ß", "ẞ", "Σ", "ς", "ǅ", "\u0307", "Ä", "Ł", "Ó"]
FOLDS = {"i": ["I", "\u0130", "\u0131"], "s": ["S", "\u017f"], "k": ["K", "\u212a"]}


@st.composite
def mangled(draw: st.DrawFn) -> str:
    """A phrase with some letters upper-cased or swapped for a letter that folds to them."""
    phrase = draw(st.sampled_from(PHRASES))
    return "".join(draw(st.sampled_from([c, c.upper(), *FOLDS.get(c, [])])) for c in phrase)


@st.composite
def folded(draw: st.DrawFn) -> str:
    """A phrase with one of its i, s or k swapped for a letter IGNORECASE folds to it and lower() does not."""
    phrase = draw(st.sampled_from([p for p in PHRASES if any(c in FOLDS for c in p)]))
    at = draw(st.sampled_from([i for i, c in enumerate(phrase) if c in FOLDS]))
    return phrase[:at] + draw(st.sampled_from(FOLDS[phrase[at]][1:])) + phrase[at + 1:]


PIECES = st.one_of(mangled(), folded(), st.sampled_from(PHRASES), st.sampled_from([*SPECIAL, " ", ":", "1", "\n"]),
                   st.characters(), st.text(max_size=3))


@given(st.lists(PIECES, max_size=20).map("".join))
@example("PRİVATE MESSAGE")
@example("prıvate message")
@example("Poſts: 12")
@example("Member since 2009")
def test_member_panel_is_the_case_insensitive_search(text: str) -> None:
    assert member_panel(text) == bool(_MEMBER_PANEL_RE.search(text))
