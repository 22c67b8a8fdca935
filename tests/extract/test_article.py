"""Article extraction on small hand-written pages: metadata sources, comments kept out, fallbacks, cleaners."""
from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml.html import HtmlElement

from monitor.errors import ExtractionError
from monitor.extract import decode_html
from monitor.extract.article import extract_article_fields
from monitor.extract.article.authors import clean_authors
from monitor.extract.dates import normalize_datetime

URL = "https://news.example.org/2024/05/01/rivers-rise?utm_source=feed"

PARAGRAPHS = [
    "The river rose by two metres overnight after three days of steady rain across the upper valley.",
    "Emergency crews moved sandbags into the old town before dawn, while the ferry service was suspended.",
    "The mayor said the levees built after the 2013 flood were holding, but asked residents to stay alert.",
    "Hydrologists expect the water to peak on Thursday evening and to fall slowly over the weekend.",
]


def _page(head: str = "", body_extra: str = "", lang: str = "en") -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><title>Rivers rise | Example News</title>{head}</head>'
        "<body><nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        f"<article><h1>Rivers rise after days of rain</h1>{paragraphs}</article>{body_extra}"
        "<footer>© Example News. All rights reserved. Imprint. Privacy.</footer></body></html>"
    )


def _jsonld(data: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def test_jsonld_gives_title_dates_with_offset_authors_tags_image_and_publisher() -> None:
    head = _jsonld({
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": "Example"},
            {
                "@type": "NewsArticle",
                "headline": "Rivers rise after days of rain",
                "datePublished": "2024-05-01T10:00:00+02:00",
                "dateModified": "2024-05-01T12:30:00Z",
                "author": [{"@type": "Person", "name": "Jane Doe"}, {"@type": "Person", "name": "By John Roe"}],
                "keywords": "floods, weather, Floods",
                "image": {"@type": "ImageObject", "url": "/img/river.jpg"},
                "publisher": {"@type": "Organization", "name": "Example News"},
                "inLanguage": "en-GB",
            },
        ],
    }) + '<link rel="canonical" href="/2024/05/01/rivers-rise">'
    fields = extract_article_fields(_page(head), URL)
    assert fields.title == "Rivers rise after days of rain"
    assert fields.published == "2024-05-01T10:00:00+02:00"
    assert fields.modified == "2024-05-01T12:30:00+00:00"
    assert fields.authors == ["Jane Doe", "John Roe"]
    assert fields.tags == ["floods", "weather"]
    assert fields.image == "https://news.example.org/img/river.jpg"
    assert fields.site_name == "Example News"
    assert fields.language == "en"
    assert fields.canonical_url == "https://news.example.org/2024/05/01/rivers-rise"


def test_opengraph_and_meta_tags_fill_in_without_jsonld() -> None:
    head = (
        '<meta property="og:title" content="Rivers rise after days of rain">'
        '<meta property="og:site_name" content="Example News">'
        '<meta property="og:url" content="https://news.example.org/rivers-rise">'
        '<meta property="og:image" content="https://cdn.example.org/river.jpg">'
        '<meta property="article:published_time" content="2024-05-01T08:15:00+00:00">'
        '<meta property="article:modified_time" content="2024-05-02T09:00:00+00:00">'
        '<meta property="article:tag" content="floods"><meta property="article:tag" content="rain">'
        '<meta name="author" content="Von Anna Müller und Max Mustermann">'
    )
    fields = extract_article_fields(_page(head, lang="de-DE"), URL)
    assert fields.title == "Rivers rise after days of rain"
    assert fields.published == "2024-05-01T08:15:00+00:00"
    assert fields.modified == "2024-05-02T09:00:00+00:00"
    assert fields.tags == ["floods", "rain"]
    assert fields.authors == ["Anna Müller", "Max Mustermann"]
    assert fields.language == "de"
    assert fields.site_name == "Example News"
    assert fields.image == "https://cdn.example.org/river.jpg"
    assert fields.canonical_url == "https://news.example.org/rivers-rise"


def test_body_keeps_article_paragraphs_in_order_and_leaves_boilerplate_out() -> None:
    fields = extract_article_fields(_page(), URL)
    lines = fields.text.split("\n")
    positions = [next(i for i, line in enumerate(lines) if paragraph in line) for paragraph in PARAGRAPHS]
    assert positions == sorted(positions)
    assert "All rights reserved" not in fields.text
    assert "Home" not in lines


def test_reader_comments_stay_out_of_the_body() -> None:
    comments = (
        '<section id="comments" class="comments-area"><h2>3 comments</h2><ol class="commentlist">'
        '<li class="comment" id="comment-1"><div class="comment-author">river_fan</div>'
        "<p>I live by the bridge and the water is already over the footpath this morning.</p></li>"
        '<li class="comment" id="comment-2"><div class="comment-author">Old Town Resident</div>'
        "<p>Thanks to the crews who were out all night with the sandbags, truly heroic work.</p></li>"
        "</ol></section>"
    )
    fields = extract_article_fields(_page(body_extra=comments), URL)
    assert PARAGRAPHS[0] in fields.text
    assert "footpath this morning" not in fields.text
    assert "truly heroic work" not in fields.text


def test_jsonld_article_body_is_the_fallback_when_the_markup_has_no_text() -> None:
    body = "First paragraph of the story that only ships as structured data.\nSecond paragraph of it."
    html = (
        "<html><head>" + _jsonld({"@type": "NewsArticle", "headline": "Script-rendered story", "articleBody": body})
        + '</head><body><div id="app"></div><script>render()</script></body></html>'
    )
    fields = extract_article_fields(html, URL)
    assert fields.text == body
    assert fields.title == "Script-rendered story"


def test_a_page_without_structured_data_still_gets_title_byline_and_date() -> None:
    html = _page(body_extra="").replace(
        "<h1>Rivers rise after days of rain</h1>",
        '<h1>Rivers rise after days of rain</h1><p class="byline"><span class="author">By Jane Doe</span></p>'
        '<time datetime="2024-05-01">1 May 2024</time>',
    )
    fields = extract_article_fields(html, URL)
    assert fields.title == "Rivers rise after days of rain"
    assert fields.authors == ["Jane Doe"]
    assert fields.published == "2024-05-01"


def test_unparseable_input_raises_extraction_error() -> None:
    with pytest.raises(ExtractionError):
        extract_article_fields("", URL)


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        ("By John Smith and Jane Doe", ["John Smith", "Jane Doe"]),
        ("Von Anna Müller, 03.05.2024", ["Anna Müller"]),
        ("Smith, John", ["John Smith"]),
        ("Adam Vidler, AP", ["Adam Vidler", "AP"]),
        ("Por María García y Pedro López", ["María García", "Pedro López"]),
        ("By JOHN SMITH AND JANE DOE | Updated 3:04 PM", ["JOHN SMITH", "JANE DOE"]),
        ("Dr. Anna Schmidt (dpa)", ["Dr. Anna Schmidt"]),
        ("https://www.facebook.com/someone", []),
        ("admin", []),
        ("@newsdesk", []),
    ],
)
def test_author_bylines_become_clean_names(raw: str, names: list[str]) -> None:
    assert clean_authors([raw]) == names


def test_author_names_are_deduplicated_across_sources_ignoring_case() -> None:
    assert clean_authors(["Jane Doe", "jane doe", None, "John Roe"]) == ["Jane Doe", "John Roe"]


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2024-05-01T10:00:00+02:00", "2024-05-01T10:00:00+02:00"),
        ("2024-05-01T10:00:00.123Z", "2024-05-01T10:00:00+00:00"),
        ("2024-05-01T10:00:00+0200", "2024-05-01T10:00:00+02:00"),
        ("2024-05-01 9:05", "2024-05-01T09:05:00"),
        ("2024-05-01", "2024-05-01"),
        ("20240501", "2024-05-01"),
        ("Wed, 01 May 2024 10:00:00 +0200", "2024-05-01T10:00:00+02:00"),
        ("1714550400", "2024-05-01T08:00:00+00:00"),
        ("0000-00-00", None),
        ("2999-01-01", None),
        ("", None),
    ],
)
def test_metadata_timestamps_normalise_to_iso_keeping_the_offset(raw: str, iso: str | None) -> None:
    assert normalize_datetime(raw) == iso


def _dated_page(published: str, visible: str = "") -> str:
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Rivers rise", "datePublished": published}
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return (f'<html><head><script type="application/ld+json">{json.dumps(ld)}</script></head><body><article>'
            f"<h1>Rivers rise</h1><span class=\"date\">{visible}</span>{paragraphs}</article></body></html>")


@pytest.mark.parametrize(
    ("url", "published", "visible", "expected"),
    [
        # the URL's day: a story filed late in the evening west of Greenwich, stamped in UTC after midnight
        ("https://news.example.org/2020/02/24/story", "2020-02-25T02:25:54Z", "", "2020-02-24"),
        # the visible date: just after midnight in Vienna is still the evening before in UTC
        ("https://news.example.org/story", "2019-10-18T22:04:00Z", "19.10.2019", "2019-10-19"),
        # the page shows the UTC day itself: the timestamp stays
        ("https://news.example.org/story", "2022-12-21T05:49:28+00:00", "21.12.2022", "2022-12-21T05:49:28+00:00"),
        # midday UTC is the same day almost everywhere: a neighbouring URL day does not move it
        ("https://news.example.org/2020/01/20/story", "2020-01-19T12:25:36Z", "", "2020-01-19T12:25:36+00:00"),
        # a local time with its offset is already the site's own day
        ("https://news.example.org/2022/05/06/story", "2022-05-07T13:43:46-05:00", "", "2022-05-07T13:43:46-05:00"),
        # a page re-dated long after the day its URL was made on keeps the URL's day
        ("https://blog.example.org/2017/7/12/montauk", "2019-06-17T18:28:00+02:00", "", "2017-07-12"),
        ("https://news.example.org/2022/05/06/story", "2022-05-07T13:43:46-05:00", "", "2022-05-07T13:43:46-05:00"),
    ],
)
def test_a_utc_timestamp_takes_the_day_the_site_gives_it(url: str, published: str, visible: str, expected: str) -> None:
    assert extract_article_fields(_dated_page(published, visible), url).published == expected


def test_valid_utf8_wins_over_a_stale_meta_charset() -> None:
    page = ('<html><head><meta http-equiv="content-type" content="text/html;charset=GB2312"/></head>'
            "<body><p>新华社北京4月24日电</p></body></html>").encode()
    assert "新华社北京" in decode_html(page)
    latin = '<meta charset="iso-8859-1"><p>Grüße</p>'
    assert decode_html(latin.encode("latin-1")) == latin  # not valid UTF-8: the declared charset holds


def test_a_utc_date_takes_the_offset_the_page_also_writes_it_in() -> None:
    page = _dated_page("2019-10-18T22:04:00Z").replace(
        "</head>", '<meta name="date" content="Sat, 19 Oct 2019 00:04:00 +0200"></head>')
    assert extract_article_fields(page, "https://news.example.org/story").published == "2019-10-19T00:04:00+02:00"


BYLINE_MARKUP = """<html><body><author>Ann</author><div class="author">Bo</div><span id="author">Cy</span>
<a rel="author">Di</a><p itemprop="author name">Ed</p><strong class="x authorName">Fi</strong><h3 class="byline">Gu</h3>
<h4 class="username">Hu</h4><p itemprop="author">Io</p><div id="post-author">Jo</div><span class="submitted-by">Ka</span>
<div class="posted-by x">Li</div><p class="journalist-name">Mo</p><h3 class="Author">no</h3><li class="author">no</li>
<address class="AuthorName">Ny</address><link rel="author" href="/x"><div class="">no</div></body></html>"""


def _fixture_pages() -> list[str]:
    from pathlib import Path

    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
    return [BYLINE_MARKUP, _page(), *(p.read_text(encoding="utf-8") for p in sorted(fixtures.rglob("*.html")))]


def test_the_byline_walk_finds_what_the_byline_xpaths_find() -> None:
    from monitor.extract.article.fallbacks import BYLINE_LOOSE, BYLINE_STRICT, byline_matches
    from monitor.extract.page import parse_html

    for html in _fixture_pages():
        tree = parse_html(html)
        matches = list(byline_matches(tree))
        assert [element for element, strict, _ in matches if strict] == BYLINE_STRICT(tree)
        assert [element for element, _, loose in matches if loose] == BYLINE_LOOSE(tree)
    matches = list(byline_matches(parse_html(BYLINE_MARKUP)))
    assert (sum(strict for _, strict, _ in matches), sum(loose for _, _, loose in matches)) == (8, 10)


def _byline_by_two_walks(tree: HtmlElement) -> str | None:
    """_byline as plainly written: every strict candidate in page order, then every loose one."""
    from monitor.extract.article.fallbacks import _NOT_BYLINE, BYLINE_LOOSE, BYLINE_STRICT

    for selector in (BYLINE_STRICT, BYLINE_LOOSE):
        for element in selector(tree):
            text = " ".join(" ".join(str(t) for t in element.itertext()).split())
            if not _NOT_BYLINE(element) and 2 < len(text) < 120:
                return text
    return None


_BYLINE_TAGS = [("div", ' class="author"'), ("span", ' class="byline"'), ("p", ' itemprop="author"'),
                ("a", ' rel="author"'), ("div", ' class="comments"'), ("figure", ""), ("h3", ' class="posted-by"'),
                ("author", ""), ("span", ' id="author"'), ("p", ""), ("div", "")]
_BYLINE_TEXTS = ["Ann Lee", "Bo", "", "Cy Dee Ed", "x" * 130]


@given(st.lists(st.tuples(st.sampled_from(_BYLINE_TAGS), st.sampled_from(_BYLINE_TEXTS), st.booleans()),
                max_size=12))
def test_the_byline_is_what_the_two_selectors_find_in_turn(parts: list[tuple[tuple[str, str], str, bool]]) -> None:
    from monitor.extract.article.fallbacks import _byline
    from monitor.extract.page import parse_html

    # An element left open holds the ones after it: bylines inside comment sections, figures, other bylines.
    markup = "".join(f"<{name}{attrs}>{text}{'' if left_open else f'</{name}>'}"
                     for (name, attrs), text, left_open in parts)
    tree = parse_html(f"<html><body><main>{markup}</main></body></html>")
    assert _byline(tree) == _byline_by_two_walks(tree)


def test_the_byline_of_the_fixture_pages_is_what_the_two_selectors_find_in_turn() -> None:
    from monitor.extract.article.fallbacks import _byline
    from monitor.extract.page import parse_html

    for html in _fixture_pages():
        tree = parse_html(html)
        assert _byline(tree) == _byline_by_two_walks(tree)
