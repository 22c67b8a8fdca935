"""The generic comment-thread finder: repeated sibling records with a text, an author and a date, by structure."""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import islice, pairwise

from lxml import etree

from monitor.extract.comments import gate
from monitor.extract.comments.engine import (
    REPLY_CONTAINER_WORDS,
    drop_wrapped,
    read_items,
)
from monitor.extract.comments.evidence import (
    AFFORDING_TAGS,
    BYLINE_RE,
    Signs,
    affording_class,
    mark_affordances,
    signs,
)
from monitor.extract.comments.fields import author_from_header
from monitor.extract.comments.html import Element, classes, is_element
from monitor.extract.comments.model import Context, RawComment
from monitor.extract.comments.runs import read_runs
from monitor.extract.dates import find_date

RECORD_TAGS = frozenset({"div", "li", "article", "section", "dd", "dt", "tr", "blockquote", "table"})
PAIR_TAGS = RECORD_TAGS | {"p", "header", "footer", "span", "ul", "ol"}
LIST_TAGS = frozenset({"ul", "ol"})
# Words in a record's or its section's class/id that speak of reader talk, in the languages we crawl.
_TALK_RE = re.compile(
    r"(?i)omment|koment|оммент|омент|repl(?:y|ies)|respons(?!iv)|r[ée]ponse|antwort|discus|reaction|opinion|talk|cmt|"
    r"feedback|"
    r"guestbook|gästebuch|leserbrief|reactie|odpowied|risposte|respuesta"
)
# The same, for lower-cased text: a case-insensitive search is several times slower, and this one runs per label.
_TALK_LOWER_RE = re.compile(_TALK_RE.pattern.removeprefix("(?i)"))
TALK_DEPTH = 8  # ancestors looked at for a comment-section label
_VARIABLE_WORD_RE = re.compile(
    r"\d|^(odd|even|alt|first|last|thread-\w+|depth-\d+|byuser|bypostauthor|highlight\S*|is-\S+|has-\S+|parent|"
    r"clearfix|oneline|full|hidden|hide|collapsed|expanded|open|closed|new|unread|selected|active|reply|top|bottom)$"
)
_ID_SHAPE_RE = re.compile(r"\d+")
# A class word that names a comment record ("comment", "js-comment", "comment-item"): it keeps its shape among
# siblings that mostly lack it (a comment list after a form and a count, in one wrapper).
_ITEM_WORD_RE = re.compile(r"(?i)^(?:[a-z]{1,4}[-_])?(?:comment|reply|kommentar)(?:[-_](?:item|entry|wrap|container|box))?$")
MIN_RECORDS = 2
MIN_LONE_TEXT, MAX_LONE_TEXT = 10, 3000  # chars of a lone comment's text
MIN_WEAK_RECORDS = 3  # records needed where only their section, not they themselves, speaks of comments
# Share of records that must show a date (resp. an author) for a group to be read as a thread; a group with
# nearly every record bylined ("by X", "X says") may go undated (Slashdot's collapsed comments). Tuned on
# trafilatura-eval's pages without comments (false positives) against dragnet-train (recall).
MIN_DATED, MIN_AUTHORED, MIN_BYLINED_UNDATED = 0.6, 0.5, 0.8
READ_AT_MOST = 4  # groups fully read per page, best first by their cheap signs
SAMPLE = 8  # records whose signs decide whether a group's others are looked at
CLOSE_RANK = 0.5  # a group ranked below this share of the best plausible one is not read


Shape = tuple[str, str, tuple[str, ...]]


@dataclass
class Group:
    """Sibling records alike in tag and shape: each a list of elements (the text block, and its head if apart)."""

    records: list[list[Element]]
    paired: bool = False
    runs: bool = False  # each record a run of sibling elements, one of them its "Posted by" line
    nest: Shape | None = None  # the records' shape, when their nested replies are still to be added
    talk: int = 0  # STRONG, WEAK or 0: how the records or their section are labelled as reader talk
    found: list[Signs] | None = None
    rank: float = 0.0


def find(tree: Element, ctx: Context) -> list[RawComment]:
    """The page's comment thread found from structure alone, or [] when no group of records passes."""
    groups = []
    memo: dict[Element, Signs] = {}  # an element is a record of its siblings' group and a reply in its thread's
    marked: set[Element] = set()
    for group in _candidates(tree, marked):
        step = max(1, len(group.records) // SAMPLE)
        sample = group.records[::step]
        # _talk() wants a label or affordances: a group without either is dropped before any record is walked
        if _too_short(sample) or not _labelled_talk(group) and not _may_afford(sample, marked):
            continue
        if _rank([_signs(r, memo) for r in sample]) <= 0:  # most groups fail on a sample
            continue
        if group.nest is not None:
            group.records = [[el] for el in _with_nested([r[0] for r in group.records], group.nest)]
        group.found = [_signs(r, memo) for r in group.records]
        group.rank = _rank(group.found)
        if group.rank <= 0:
            continue
        group.talk = _talk(group)
        if group.talk == WEAK and len(group.records) < MIN_WEAK_RECORDS:
            continue
        if group.talk and gate.rejects(group.records, group.found, labelled=group.talk == STRONG) is None:
            groups.append(group)
    if not groups:  # most pages: the article's opening below is not worth working out
        return []
    groups.sort(key=lambda g: g.rank, reverse=True)
    best: list[RawComment] = []
    best_score = best_rank = 0.0
    read: set[Element] = set()
    opening = _opening(ctx.article_text)
    for group in groups[:READ_AT_MOST]:
        if best and group.rank < CLOSE_RANK * best_rank:
            break
        if group.records[0][0] in read:  # a sub-thread of a group already read
            continue
        if opening and _holds_article(group, opening):  # a layout column around the article: not read at all
            continue
        comments = [_sane_author(c) for c in bylines(_read(group, ctx))]
        if comments and _is_article(comments[0], ctx.article_text):  # a forum thread: its posts are the page
            continue
        if len(comments) < min(len(group.records), MIN_RECORDS):  # a lone comment is one that says so by its id
            continue
        found = group.found or []
        # a teaser list dated before the article is told apart by dates, where nothing else tells it
        sure = group.talk == STRONG or sum(s.bylined for s in found) >= MIN_BYLINED_UNDATED * len(found)
        score = plausibility(comments, None if sure else ctx.article_published,
                             dates_shown=bool(found) and all(s.dated for s in found))
        if score > best_score:
            best, best_score, best_rank = comments, score, group.rank
            read.update(el for r in group.records for el in r)
    return once(best)


_TEXT_LENGTH = etree.XPath("string-length(normalize-space(.))")
MIN_CHARS = 15  # median visible chars of a sample of records: below it, menu entries, tags and buttons


def _chars(el: Element) -> int:
    found = _TEXT_LENGTH(el)
    return int(found) if isinstance(found, float) else 0


def _too_short(sample: list[list[Element]]) -> bool:
    """Most of the sampled records hold almost no text: settled in libxml2, before any walk in Python."""
    lengths = sorted(n for r in sample if (n := sum(_chars(el) for el in r)))  # collapsed ones count for nothing
    return not lengths or lengths[len(lengths) // 2] < MIN_CHARS


_TOKEN_RE = re.compile(r"\w+")
OPENING_TOKENS = 60  # of the article's text, whose word 4-grams a record holding the article shows
MIN_OPENING = 8  # 4-grams: below it the article is too short to tell
HOLDS_SHARE = 0.5  # of the opening's 4-grams found in a record that holds the article


def _four_grams(tokens: list[str]) -> set[tuple[str, ...]]:
    return {tuple(tokens[i:i + 4]) for i in range(len(tokens) - 3)}


def _opening(article_text: str) -> set[tuple[str, ...]]:
    """The word 4-grams of the article's first OPENING_TOKENS words (an empty set when it is too short)."""
    grams = _four_grams(_TOKEN_RE.findall(article_text[:OPENING_TOKENS * 20].lower())[:OPENING_TOKENS])
    return grams if len(grams) >= MIN_OPENING else set()


def _holds_article(group: Group, opening: set[tuple[str, ...]]) -> bool:
    """One of the group's first two records holds the article's opening: the page's main column and its
    neighbour, alike in shape, are no comments (and reading such records costs more than a whole thread).

    Word 4-grams, not a substring, so that paragraph breaks and inline markup do not hide the article; a
    record shorter than the opening cannot hold it, as libxml2 tells without a walk in Python."""
    least = HOLDS_SHARE * OPENING_TOKENS * 3  # chars: short words, and half the opening
    for record in group.records[:2]:
        if sum(_chars(el) for el in record) < least:
            continue
        tokens = _TOKEN_RE.findall(" ".join(t for el in record for t in el.itertext()).lower())
        if len(opening & _four_grams(tokens)) >= HOLDS_SHARE * len(opening):
            return True
    return False


def _is_article(comment: RawComment, article_text: str) -> bool:
    """The record opens as the article does, as a forum's first post is the page's article."""
    words = comment.text.split()
    if len(words) < 8 or not article_text:
        return False
    return " ".join(words[:8]) in " ".join(article_text.split()[:60])


def _signs(record: list[Element], memo: dict[Element, Signs]) -> Signs:
    if len(record) > 1:
        return signs(record)
    found = memo.get(record[0])
    if found is None:
        found = memo[record[0]] = signs(record)
    return found


def _shape(el: Element, common: set[str] | None = None) -> Shape:
    """Tag and id pattern (comment-#), else tag and the class words that do not vary from record to record:
    ``common`` holds the words most same-tag siblings share ("by-alans", "author_comment" are left out)."""
    id_shape = _id_shape(el.get("id") or "")
    if id_shape:
        return el.tag, id_shape, ()
    words = (w for w in classes(el) if not _variable(w) and (common is None or w in common))
    return el.tag, "", tuple(sorted(words))


@lru_cache(maxsize=4096)
def _id_shape(ident: str) -> str:
    """An id with its numbers as # (comment-123 → comment-#), or "" when it has none: cached, pages repeat them."""
    return _ID_SHAPE_RE.sub("#", ident) if any(c.isdigit() for c in ident) else ""


@lru_cache(maxsize=4096)
def _variable(word: str) -> bool:
    """A class word that varies from record to record (odd, depth-2, comment-author-ann): cached, pages repeat them."""
    return bool(_VARIABLE_WORD_RE.search(word))


def _fits(el: Element, shape: Shape) -> bool:
    """``el`` (a nested one, not a sibling) is of ``shape``."""
    if el.tag != shape[0]:
        return False
    id_shape = _id_shape(el.get("id") or "")
    if shape[1]:
        return id_shape == shape[1]
    return not id_shape and set(shape[2]) <= set(classes(el))


def _common_words(children: list[Element]) -> dict[str, set[str]]:
    """Per tag, the class words at least half of the same-tag siblings carry."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    sizes: Counter[str] = Counter()
    for child in children:
        sizes[child.tag] += 1
        counts[child.tag].update(set(classes(child)))
    return {tag: {w for w, n in words.items() if n * 2 >= sizes[tag] or n >= MIN_RECORDS and _ITEM_WORD_RE.match(w)}
            for tag, words in counts.items()}


_NOT_PARENTS = frozenset({"head", "script", "style", "form", "select", "nav"})


def _candidates(tree: Element, marked: set[Element] | None = None) -> list[Group]:
    """Groups of alike siblings, and of alternating sibling pairs (dt + dd, body + "Posted by" line).

    ``marked``, when given, is filled with every element that holds an affordance (evidence.mark_affordances);
    then siblings that nothing labels as reader talk (themselves, their parent or its ancestors up to
    TALK_DEPTH, a heading before them) and that hold no affordance give no group, as find() would drop it:
    most of a page is settled so, before any shape is computed."""
    unlabelled: dict[Element, int] = {}  # element → how many levels up the nearest talk label is (itself: 0)
    parents: list[Element] = []
    may_afford: list[Element] = []
    # One Python pass over the page, the least work per element: a parent's children are listed, and a talk
    # label's distance walked up, only for the few parents the affordances leave unsettled; affordances are
    # confirmed on the few elements that may be one.
    for parent in tree.iter(etree.Element):
        tag = parent.tag
        if marked is not None and (tag in AFFORDING_TAGS or (words := parent.get("class")) and affording_class(words)):
            may_afford.append(parent)
        size = len(parent)
        if size < MIN_RECORDS and (not size or parent[0].get("id") is None) or tag in _NOT_PARENTS:
            continue  # no siblings to group; at most a leaf (a lone comment says so by its id)
        # a few children: a comprehension costs less than iterchildren()'s matcher of PAIR_TAGS
        if size <= 2 * MIN_RECORDS and _too_few([c for c in parent if c.tag in PAIR_TAGS]):
            continue
        parents.append(parent)
    if marked is not None:
        mark_affordances(may_afford, marked)
    groups: list[Group] = []
    shapes: dict[Element, Shape] = {}
    for parent in parents:
        if marked is not None and parent not in marked and _label_distance(parent, tree, unlabelled) >= TALK_DEPTH \
                and not _may_be_talk(parent):
            continue
        children = list(parent.iterchildren(*PAIR_TAGS))
        if len(children) < MIN_RECORDS:  # no group, no pair; only a lone numbered comment, or flat runs
            if children and children[0].tag in RECORD_TAGS and _lone_comment(children[0]):
                groups.append(Group([children], nest=_shape(children[0])))
            if len(parent) > 2 * MIN_RECORDS:
                for segment in _segments([c for c in parent if is_element(c)]):
                    groups.extend(_runs(segment))
            continue
        by_shape: dict[Shape, list[Element]] = defaultdict(list)
        common = _common_words(children)
        for child in children:
            shapes[child] = _shape(child, common[child.tag])
            if child.tag in RECORD_TAGS or child.tag in LIST_TAGS and _list_record(child):
                by_shape[shapes[child]].append(child)
        for members in by_shape.values():
            if members[0].tag in LIST_TAGS and not _numbered(members[0]):  # a list per comment: its item is the record
                if len(members) >= MIN_RECORDS:
                    groups.append(Group([[next(c for c in m if is_element(c))] for m in members]))
            elif len(members) >= MIN_RECORDS or _lone_comment(members[0]):
                groups.append(Group([[m] for m in members], nest=shapes[members[0]]))
        groups.extend(_pairs(children, shapes))
        kids = [c for c in parent if is_element(c)]
        if len(kids) > 2 * MIN_RECORDS:
            for segment in _segments(kids):
                groups.extend(_runs(segment))
    return groups


def _too_few(children: list[Element]) -> bool:
    """Fewer than MIN_RECORDS children that may be records, and not a lone numbered comment."""
    if len(children) >= MIN_RECORDS:
        return False
    return not (children and children[0].tag in RECORD_TAGS and _lone_comment(children[0]))


def _label_distance(el: Element, root: Element, memo: dict[Element, int]) -> int:
    """How many levels up from ``el`` the nearest element labelled as reader talk is (itself: 0; none up to
    ``root``: more than TALK_DEPTH), memoised along the ancestors walked."""
    chain: list[Element] = []
    node: Element | None = el
    distance = TALK_DEPTH + 1
    while node is not None:
        known = memo.get(node)
        if known is not None:
            distance = known
            break
        ident, klass = node.get("id"), node.get("class")
        if (ident or klass) and _talk_label(ident or "", klass or ""):
            memo[node] = distance = 0
            break
        chain.append(node)
        if node is root:
            distance = TALK_DEPTH
            break
        node = node.getparent()
    for below in reversed(chain):
        distance += 1
        memo[below] = distance
    return memo.get(el, distance)


_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "hr", "form"})


def _may_be_talk(parent: Element) -> bool:
    """A child of ``parent`` (or the item of a list child) is labelled as reader talk, or a heading may name them."""
    for kid in parent.iterchildren(etree.Element):
        if kid.tag in _HEADINGS or _talk_label(kid.get("id") or "", kid.get("class") or ""):
            return True
        if kid.tag in LIST_TAGS:
            item = next(kid.iterchildren(etree.Element), None)
            if item is not None and _talk_label(item.get("id") or "", item.get("class") or ""):
                return True
    return _headed(parent)


def _list_record(el: Element) -> bool:
    """A list that is one record, not a list of them: numbered (ul#comment-123) or of a single item."""
    return _numbered(el) or sum(1 for c in el if is_element(c)) == 1


def _numbered(el: Element) -> bool:
    return any(c.isdigit() for c in el.get("id") or "")


def _segments(kids: list[Element]) -> list[list[Element]]:
    """Siblings cut at headings: the article, its trackbacks and its comments, apart."""
    segments: list[list[Element]] = [[]]
    for kid in kids:
        if kid.tag in _HEADINGS:
            segments.append([kid])
        else:
            segments[-1].append(kid)
    return [s for s in segments if len(s) > MIN_RECORDS]


_RUN_BODY_TAGS = frozenset({"p", "div", "blockquote", "ul", "ol", "pre", "br", "a", "span", "table", "dl", "img"})
MAX_RUN = 40  # elements of one flat comment


def _runs(kids: list[Element]) -> list[Group]:
    """Flat threads: runs of paragraphs each ended by a "Posted by: X | DATE" line, or each opened by an
    anchor a#c123 (old TypePad and Movable Type), with no element around a comment."""
    groups: list[Group] = []
    by_shape: dict[Shape, list[int]] = defaultdict(list)
    for i, kid in enumerate(kids):
        if kid.tag in ("p", "div", "span", "small", "cite", "a"):
            by_shape[_shape(kid)].append(i)
    for shape, at in by_shape.items():
        if len(at) < MIN_RECORDS or any(b - a < 2 for a, b in pairwise(at)) and shape[0] != "a":
            continue
        if shape[0] == "a":
            if not shape[1] or any("".join(kids[i].itertext()).strip() for i in at):
                continue
            records = [kids[i:j] for i, j in zip(at, [*at[1:], _run_end(kids, at[-1])])]
        else:
            if not _footers([kids[i] for i in at]):
                continue
            starts = [_run_start(kids, at[0]), *(i + 1 for i in at[:-1])]
            records = [kids[a:b + 1] for a, b in zip(starts, at)]
        records = [r for r in records if len(r) >= 2]
        if len(records) >= MIN_RECORDS:
            groups.append(Group(records, runs=True))
    return groups


def _footers(footers: list[Element]) -> bool:
    """Each element is short, and at least 0.8 of them are dated and bylined or named: "Posted by" lines.

    Their signs are walked only until the answer is known (most runs of paragraphs fail within a few)."""
    failing = 0
    for footer in footers:
        found = signs([footer])
        if found.chars > 200:
            return False
        failing += not (found.dated and (found.bylined or found.named))
        if len(footers) - failing < 0.8 * len(footers):
            return False
    return True


def _run_start(kids: list[Element], footer: int) -> int:
    start = footer
    while start > 0 and footer - start < MAX_RUN and kids[start - 1].tag in _RUN_BODY_TAGS:
        start -= 1
    return start


def _run_end(kids: list[Element], opener: int) -> int:
    end = opener + 1
    while end < len(kids) and end - opener < MAX_RUN and kids[end].tag in _RUN_BODY_TAGS:
        end += 1
    return end


def _with_nested(members: list[Element], shape: Shape) -> list[Element]:
    """The members and the elements of their shape below their parent, in page order: the replies of a nested
    thread, inside a comment or in a replies container beside it."""
    parent = members[0].getparent()
    if parent is None:
        return members
    member_set = set(members)
    found = [el for el in parent.iter(shape[0]) if el in member_set or el is not parent and _fits(el, shape)]
    return drop_wrapped(found) if len(found) > len(members) else members


def _pairs(children: list[Element], shapes: dict[Element, Shape]) -> list[Group]:
    # the second of a pair by its tag alone where the tags differ: dd.comment and dd.comment.author_comment pair alike
    def kind(el: Element, other: Element) -> tuple[object, ...]:
        return (el.tag,) if el.tag != other.tag else shapes[el]

    # One pass: the neighbour pairs of unlike siblings, by step (first's shape, second's kind), in page order.
    steps: dict[tuple[Shape, tuple[object, ...]], list[list[Element]]] = defaultdict(list)
    first: dict[object, int] = {}
    for i, child in enumerate(children):
        first.setdefault(shapes[child], i)
        first.setdefault((child.tag,), i)
    for x, y in pairwise(children):
        shape = shapes[x]
        if shape != shapes[y]:
            steps[shape, kind(y, x)].append([x, y])
    groups: list[Group] = []
    for (a, b), pairs in steps.items():
        if first[a] > first[b]:
            continue
        # too few to be a thread: dropped before _holds_alike walks any of them
        if len(pairs) < MIN_RECORDS and not (len(pairs) == 1 and _lone_comment(pairs[0][0])):
            continue
        if any(_holds_alike(y, x) for x, y in pairs[:3]):  # the second is the replies' container, not a part
            continue
        groups.append(Group(_nested_pairs(pairs, kind), paired=True))
    return groups


_COMMENT_ID_RE = re.compile(r"(?i)^(?:comment|cmt|c)[-_]?\d+$|^(?:div-|li-)?comment-\d+$")


def _lone_comment(el: Element) -> bool:
    """A single element that calls itself a numbered comment (id comment-123): a thread of one may be read."""
    return bool(_COMMENT_ID_RE.match(el.get("id") or ""))


def _holds_alike(container: Element, record: Element) -> bool:
    """``container`` holds replies (it opens with a record like ``record``), not a part of ``record``."""
    if REPLY_CONTAINER_WORDS.intersection(w.replace("_", "-") for w in classes(container)):
        return True
    first = next((el for el in container if is_element(el)), None)
    return first is not None and _fits(first, _shape(record))


def _nested_pairs(pairs: list[list[Element]], kind: Callable[[Element, Element], tuple[object, ...]]) -> list[list[Element]]:
    """The pairs and, inside them, pairs alike (the replies: a dl.children inside a dd)."""
    head, second = pairs[0]
    shape, second_kind = _shape(head), kind(second, head)
    out: list[list[Element]] = []
    for pair in pairs:
        out.append(pair)
        for el in pair[1].iter(head.tag):
            if el is pair[1] or not _fits(el, shape):
                continue
            nxt = el.getnext()
            while nxt is not None and not is_element(nxt):
                nxt = nxt.getnext()
            if nxt is not None and ((nxt.tag,) == second_kind or len(second_kind) == 3 and _fits(nxt, second_kind)):  # type: ignore[arg-type]
                out.append([el, nxt])
    return out


def _rank(found: list[Signs]) -> float:
    """Cheap worth of a group before reading it: records × how comment-like they look; 0 when implausible.

    Records without text (collapsed comments whose body the page did not load) count for nothing either way."""
    found = [s for s in found if s.chars]
    n = len(found)
    if not n:
        return 0.0
    dated = sum(s.dated for s in found) / n
    authored = sum(s.bylined or s.named for s in found) / n
    bylined = sum(s.bylined for s in found) / n
    affordance = sum(s.affordance for s in found) / n
    undated_ok = bylined >= MIN_BYLINED_UNDATED or (authored >= MIN_BYLINED_UNDATED and affordance >= 0.5)
    if not (dated >= MIN_DATED and authored >= MIN_AUTHORED) and not undated_ok:
        return 0.0
    chars = sorted(s.chars for s in found)[n // 2]
    return n * (dated + authored + affordance + bylined) * math.log(2 + chars)


def _read(group: Group, ctx: Context) -> list[RawComment]:
    if group.runs:
        return read_runs(group.records, ctx)
    if not group.paired:
        return read_items([r[0] for r in group.records], ctx)
    # the block with more text holds the comment; the other its author and date
    first_chars = sum(len(" ".join(r[0].itertext())) for r in group.records)
    second_chars = sum(len(" ".join(r[1].itertext())) for r in group.records)
    text_at = 1 if second_chars >= first_chars else 0
    if group.records[0][0].tag in ("dt", "header") and group.records[0][1].tag in ("dd", "div", "section"):
        text_at = 1  # a term and its definition, a header and its body: however short the comment, it is the second
    heads = {r[text_at]: r[1 - text_at] for r in group.records}
    return read_items([r[text_at] for r in group.records], ctx, heads=heads)


STRONG, WEAK = 2, 1


def _talk(group: Group) -> int:
    """STRONG when the records themselves are labelled as reader talk or show reply/avatar affordances,
    WEAK when only their section is, else 0."""
    found = group.found or []
    if found and sum(s.affordance for s in found) >= 0.5 * len(found):
        return STRONG
    return _labelled_talk(group)


def _labelled_talk(group: Group) -> int:
    """STRONG or WEAK as _talk() says from labels and headings alone, before any record is walked."""
    el = group.records[0][0]
    if _labelled(group.records[0]):
        return STRONG
    if _labelled(list(el.iterancestors())[:TALK_DEPTH]) or _headed(el):
        return WEAK
    return 0


def _may_afford(sample: list[list[Element]], marked: set[Element]) -> bool:
    """At least half of the sampled records may show a reply, permalink or avatar affordance (evidence.afforded)."""
    return 2 * sum(1 for r in sample if any(el in marked for el in r)) >= len(sample)


def _headed(el: Element) -> bool:
    """A heading just before ``el`` (or before its parent) names the section as reader talk ("Comments")."""
    for node in (el, el.getparent()):
        if node is None:
            continue
        for prev in islice(node.itersiblings(preceding=True), 6):
            if prev.tag in _HEADINGS and prev.tag != "hr":
                return bool(_TALK_RE.search(" ".join("".join(prev.itertext()).split())[:80]))
    return False


def _labelled(elements: list[Element]) -> bool:
    return any(_talk_label(el.get("id") or "", el.get("class") or "") for el in elements)


@lru_cache(maxsize=8192)
def _talk_label(ident: str, klass: str) -> bool:
    """An id or class that speaks of reader talk: cached, as every group asks it of the same ancestors."""
    return bool((ident or klass) and _TALK_LOWER_RE.search(f"{ident} {klass}".lower()))


def _sane_author(comment: RawComment) -> RawComment:
    """A name is short: a headline or a sentence found where a name should be is no author."""
    name = comment.author
    if name and (len(name.split()) > 5 or len(name) > 50 or name.endswith((":", "?", "!"))):
        return replace(comment, author=None)
    return comment


def plausibility(comments: list[RawComment], article_published: str | None = None, *, dates_shown: bool = False) -> float:
    """How surely these read as a reader-comment thread (0: not at all): text × authored and dated shares.

    Teaser and related-article lists fail it: one "author" for all, or dates before the article's own.
    ``dates_shown``: every record shows a date, parsed or not ("3 hours ago" on a page saved without its fetch time).
    """
    n = len(comments)
    if n == 1:  # a lone comment: its element said so (see _lone_comment); it must show all three
        c = comments[0]
        return float(len(c.text)) if c.author and c.published and MIN_LONE_TEXT <= len(c.text) <= MAX_LONE_TEXT else 0.0
    if n < MIN_RECORDS or len({c.text for c in comments}) < 0.8 * n:
        return 0.0
    if n == MIN_RECORDS and not all(c.author and (c.published or dates_shown) for c in comments):  # two alike blocks prove little
        return 0.0
    dated = sum(1 for c in comments if c.published) / n
    authors = Counter(c.author for c in comments if c.author)
    authored = sum(authors.values()) / n
    if authored < MIN_AUTHORED or (dated < MIN_DATED and authored < MIN_BYLINED_UNDATED):
        return 0.0
    if len(authors) < 2 or (n >= 4 and authors.most_common(1)[0][1] > 0.6 * n):
        return 0.0
    if article_published:
        day = article_published[:10]
        dates = [c.published[:10] for c in comments if c.published]
        if dates and sum(d < day for d in dates) > 0.2 * len(dates):
            return 0.0
    return sum(len(c.text) for c in comments) * (dated + authored)


def bylines(comments: list[RawComment]) -> list[RawComment]:
    """Authors (and dates) from a "Posted by X on DATE" / "X says:" first or last line of the text, that line dropped."""
    out: list[RawComment] = []
    for c in comments:
        lines = c.text.split("\n")
        if c.author is None and len(lines) > 1:
            for at in (-1, 0):
                line = lines[at]
                if len(line) <= 120 and BYLINE_RE.search(line):
                    name = author_from_header(line)
                    if name:
                        published = c.published or find_date(line)
                        del lines[at]
                        c = replace(c, author=name, published=published, text="\n".join(lines))
                        break
        out.append(c)
    return out


def once(comments: list[RawComment]) -> list[RawComment]:
    """Each comment once where the page carries its list twice (same author and text): replies move to the kept one."""
    kept: dict[tuple[str | None, str], str] = {}
    renamed: dict[str, str] = {}
    out: list[RawComment] = []
    for c in comments:
        identity = (c.author, " ".join(c.text.split()))
        if len(identity[1]) >= 20 and identity in kept:
            renamed[c.key] = kept[identity]
            continue
        kept.setdefault(identity, c.key)
        out.append(replace(c, parent_key=renamed.get(c.parent_key or "", c.parent_key)))
    return out
