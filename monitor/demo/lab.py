"""The lab outlet: test-only pages that misbehave on purpose (encodings, errors, hostile markup)."""
from __future__ import annotations

import functools
import gzip
import json
import random
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from html import escape, unescape

from monitor.demo.content import DemoArticle, DemoComment, article_path
from monitor.demo.render import Page, wordpress_article, wp_datetime
from monitor.demo.response import Response

UTC = UTC

# What a perfect crawler ends up with for each kind of lab page (see catalog.truth).
EXPECT = {
    "cp1251-header": "indexed",
    "cp1251-meta": "indexed",
    "latin1": "indexed",
    "hostile": "indexed",
    "truncated": "partial",
    "server-error": "http_error",
    "not-found": "http_error",
    "pdf": "not_html",
    "oversized": "too_large",
    "slow": "timeout",
    "redirect-loop": "redirect_loop",
    "comment-pages": "indexed",
    "comments-api": "indexed",
    "custom-cms": "indexed",
}

# The key the lab's comments API wants (?api_key=); crawl tests pass it in through the environment.
COMMENTS_API_KEY = "lab-comments-key-5f1c9e"
COMMENTS_API_KEY_ENV = "MONITOR_TEST_COMMENTS_KEY"
API_PAGE_SIZE = 3

# A one-page PDF; viewers accept it without an exact xref table.
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >> endobj\n"
    b"4 0 obj << /Length 44 >> stream\nBT /F1 12 Tf 20 100 Td (Annual report) Tj ET\nendstream endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)


@dataclass(frozen=True)
class LabSpec:
    kind: str
    slug: str
    title: str
    paragraphs: tuple[str, ...]
    when: str
    authors: tuple[str, ...] = ("Lab Robot",)
    encoding: str = "utf-8"


UKRAINIAN = (
    "Сили протиповітряної оборони працювали над Києвом усю ніч, повідомила міська адміністрація. "
    "Більшість дронів збили на підльоті до столиці.",
    "Уламки впали у двох районах міста, пошкоджено дахи кількох будинків та автомобілі. Інформації "
    "про загиблих немає.",
    "Мешканці провели кілька годин в укриттях і на станціях метро. Зранку рух поїздів відновили, а "
    "кав'ярні знову відчинилися.",
    "Енергетики відновили електропостачання для більшості споживачів лівого берега ще до вечора.",
)
RUSSIAN = (
    "Силы противовоздушной обороны всю ночь отражали атаку беспилотников на Киев, сообщили в "
    "городской администрации.",
    "Жители провели ночь в укрытиях и на станциях метро, а утром город вернулся к обычной жизни.",
    "Энергетики восстановили подачу электричества в большинство домов уже к вечеру.",
    "Волонтёры из города-побратима передали генераторы и тёплую одежду.",
)
LATIN1 = (
    "The Zürich roastery that supplies Café Lumière has doubled its output this winter, roasting "
    "beans for every branch on the coast.",
    "Its owner, Jörg Brändli, called the idea that a small roastery could keep up with a growing "
    "chain naïve at first, but said the crème of the harvest was worth the effort.",
    "The roastery's façade, a former dairy near the lake, has become a stop for coffee tourists.",
    "Deliveries leave Zürich twice a week by rail and reach Port Aldren in under two days.",
)
PLAIN = (
    "The harbour ferry will keep a reduced timetable now that the Aldren Span carries traffic again.",
    "Morning sailings leave the north quay every twenty minutes until nine o'clock.",
    "Evening sailings have been cut to two an hour because so few passengers used them.",
    "The ferry company said it would review the timetable again in the summer, when tourists return "
    "to the harbour and the waterfront cafés are busiest.",
    "Season tickets bought during the bridge closure will be honoured until they expire.",
    "Passengers with bicycles are asked to board first and leave the lower deck clear.",
)

SPECS = (
    LabSpec("cp1251-header", "kyiv-ppo-cp1251-header", "Київ: сили ППО відбили нічну атаку дронів", UKRAINIAN,
            "2025-03-21 06:00", ("Олена Коваль",), "cp1251"),
    LabSpec("cp1251-meta", "kyiv-noch-cp1251-meta", "Киев: ночь под обстрелом беспилотников", RUSSIAN,
            "2025-03-21 07:00", ("Ирина Соколова",), "cp1251"),
    LabSpec("latin1", "zurich-roastery-latin1", "Zürich roastery keeps Café Lumière supplied", LATIN1,
            "2025-03-21 08:00", ("Anaïs Müller",), "latin-1"),
    LabSpec("hostile", "hostile-comments", "Readers react to the bridge toll plan", PLAIN[:4], "2025-03-21 09:00"),
    LabSpec("truncated", "truncated-article", "Ferry timetable changes after the bridge reopens", PLAIN,
            "2025-03-21 10:00"),
    LabSpec("server-error", "server-error", "This page always fails", PLAIN[:1], "2025-03-21 11:00"),
    LabSpec("not-found", "gone-missing", "This page was deleted", PLAIN[:1], "2025-03-21 11:30"),
    LabSpec("pdf", "annual-report-2024", "Harbour authority annual report 2024", PLAIN[:1], "2025-03-21 12:00"),
    LabSpec("oversized", "oversized-article", "Port Aldren council publishes its complete budget", PLAIN[:4],
            "2025-03-21 13:00"),
    LabSpec("slow", "slow-article", "The slowest page on the coast", PLAIN[1:5], "2025-03-21 14:00"),
    LabSpec("redirect-loop", "redirect-loop-a", "Going round in circles", PLAIN[:1], "2025-03-21 15:00"),
    LabSpec("comment-pages", "ferry-debate-comment-pages", "Readers debate the ferry timetable at length",
            PLAIN[:4], "2025-03-21 16:00"),
    LabSpec("comments-api", "bridge-toll-comments-api", "Bridge toll vote draws a crowd of comments",
            PLAIN[1:5], "2025-03-21 17:00"),
    LabSpec("custom-cms", "harbour-lights-custom-cms", "Harbour lights festival returns to the quay",
            PLAIN[2:6], "2025-03-21 18:00", ("Gazette Desk",)),
)

# Hostile pages, linked from no feed or home page: only HOSTILE_SITEMAP lists them, so the crawls of the lab above
# see none of them. What a crawler must make of each (``expect`` as in EXPECT):
HOSTILE_EXPECT = {
    "binary": "not_html",  # random bytes served as text/html: refused, never indexed as replacement characters
    "utf16-header": "indexed",  # a UTF-8 page whose Content-Type says charset=utf-16: indexed readable
    "cross-canonical": "indexed",  # claims another outlet's article as its canonical URL: indexed as itself
}
HOSTILE_SPECS = (
    LabSpec("binary", "random-bytes-as-html", "Random bytes served as an HTML page", PLAIN[:1], "2025-03-21 19:00"),
    LabSpec("utf16-header", "zurich-roastery-utf16-header", "Zürich roastery opens a café in Port Aldren",
            LATIN1, "2025-03-21 20:00", ("Anaïs Müller",)),
    LabSpec("cross-canonical", "ferry-fares-cross-canonical", "Ferry fares rise again, says the lab",
            PLAIN[1:5], "2025-03-21 21:00"),
)
HOSTILE_SITEMAP = "/lab/sitemaps/hostile.xml"
# Hostile sitemaps (listed nowhere; a test configures them): a gzip bomb served without Content-Encoding
# (BOMB_SITEMAP), a sitemap-index chain CHAIN_DEPTH deep (CHAIN_SITEMAP is its top), and one sitemap of BULK_URLS
# small article pages (BULK_SITEMAP).
BOMB_SITEMAP = "/lab/sitemaps/bomb.xml.gz"
CHAIN_SITEMAP = "/lab/sitemaps/chain-1.xml"
BULK_SITEMAP = "/lab/sitemaps/bulk.xml.gz"
BOMB_INFLATED_BYTES = 512 * 1024 * 1024
CHAIN_DEPTH = 300
BULK_URLS = 100_000
BINARY_BYTES = 200_000

# (author, text, index of the comment answered) in page order. Paginated over three comment pages
# (PAGE_SPLITS); the first comment of page 2 answers the last of page 1.
PAGED_COMMENTS = (
    ("Ann Walker", "Twenty minutes between sailings is fine for me.", None),
    ("Bert Olsen", "Not at eight in the morning it isn't.", 0),
    ("Carla M.", "Why cut the evening sailings at all?", None),
    ("Dmitri", "Because nobody took them, as the article says.", 2),
    ("Erin Walsh", "Season tickets should be refunded, not honoured.", None),
    ("Farid", "Honoured until expiry is fair enough.", 4),
    ("Greta", "Bicycles first is a good rule.", None),
    ("Hugo", "Unless you are the one waiting behind them.", 6),
    ("Ines", "Then take the bridge, Hugo.", 7),
)
PAGE_SPLITS = ((0, 3), (3, 6), (6, 9))
API_COMMENTS = (
    ("Jonas", "<p>The toll should go to <b>ferry</b> subsidies.</p>", None),
    ("Kira", "<p>Agreed, &amp; soon.</p>", 0),
    ("Liam", "<p>Tolls never come down once they are set.</p>", None),
    ("Mona", "<p>The bridge cost a fortune to repair.</p>", 2),
    ("Nils", "<p>Then tax the lorries.</p>", 3),
    ("Olga", "<p>Vote no on Thursday.</p>", None),
    ("Pavel", "<p>Vote yes: the ferry needs it.</p>", 5),
)
CUSTOM_COMMENTS = (
    ("Quinn", "The lanterns were lovely last year.", None),
    ("Rosa", "They are even brighter this time.", 0),
    ("Sami", "Who pays for the fireworks?", None),
    ("Tove", "The harbour board, as always.", 2),
)

# Comment markup served raw, as a site that forgot to sanitise would; with the text a safe
# extraction keeps (scripts dropped, no handlers, the link's words only).
HOSTILE_COMMENTS = (
    ("<p>Great article! <script>alert(1)</script>The tolls are a scandal.</p>",
     "Great article! The tolls are a scandal.", None),
    ("<p>See the photos here <img src=x onerror=alert(1)> of the queue at the bridge.</p>",
     "See the photos here of the queue at the bridge.", None),
    ('<p>Full story <a href="javascript:alert(1)">on my blog</a>, trust me.</p>',
     "Full story on my blog, trust me.", 1),
    ("<p>Nobody is clicking that link.</p>", "Nobody is clicking that link.", 2),
)


@dataclass
class LabPage:
    """A lab article and how it misbehaves."""

    kind: str
    article: DemoArticle
    encoding: str = "utf-8"

    @property
    def expect(self) -> str:
        return EXPECT[self.kind] if self.kind in EXPECT else HOSTILE_EXPECT[self.kind]


def _lab_article(spec: LabSpec, number: int) -> DemoArticle:
    published = datetime.strptime(spec.when, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
    return DemoArticle(
        outlet="lab", slug=spec.slug,
        path=article_path("lab", spec.slug, published, section="city", number=number),
        title=spec.title, authors=list(spec.authors), published=published, section="city",
        tags=["lab", spec.kind], paragraphs=list(spec.paragraphs),
        image=f"/lab/img/{spec.slug}.png", number=number,
    )


def build_hostile() -> list[LabPage]:
    """The pages of HOSTILE_SPECS, numbered after the lab's own."""
    return [LabPage(spec.kind, _lab_article(spec, number), spec.encoding)
            for number, spec in enumerate(HOSTILE_SPECS, start=len(SPECS) + 1)]


def build_lab(next_comment_id: list[int]) -> list[LabPage]:
    pages = []
    for number, spec in enumerate(SPECS, start=1):
        article = _lab_article(spec, number)
        published = article.published
        if spec.kind == "hostile":
            ids: list[int] = []
            for offset, (html, text, parent) in enumerate(HOSTILE_COMMENTS):
                ids.append(next_comment_id[0])
                article.comments.append(DemoComment(
                    id=next_comment_id[0], author=["Mallory", "Eve", "Trudy", "Jane Holloway"][offset],
                    published=published + timedelta(minutes=30 * (offset + 1)), text=text,
                    parent=ids[parent] if parent is not None else None, html=html,
                ))
                next_comment_id[0] += 1
        script = {"comment-pages": PAGED_COMMENTS, "comments-api": API_COMMENTS, "custom-cms": CUSTOM_COMMENTS}
        if spec.kind in script:
            ids = []
            for offset, (author, text, parent) in enumerate(script[spec.kind]):
                ids.append(next_comment_id[0])
                article.comments.append(DemoComment(
                    id=next_comment_id[0], author=author, published=published + timedelta(minutes=20 * (offset + 1)),
                    text=_plain(text), parent=ids[parent] if parent is not None else None,
                    html=text if spec.kind == "comments-api" else None,
                ))
                next_comment_id[0] += 1
        if spec.kind in ("cp1251-header", "cp1251-meta"):
            article.comments.append(DemoComment(
                id=next_comment_id[0], author=spec.authors[0].split()[0],
                published=published + timedelta(hours=1),
                text="Дякуємо захисникам неба!" if spec.kind == "cp1251-header" else "Спасибо всем, кто помогает.",
            ))
            next_comment_id[0] += 1
        pages.append(LabPage(spec.kind, article, spec.encoding))
    return pages


def truncated_paragraphs(page: LabPage) -> list[str]:
    """The paragraphs that survive the cut in ``respond`` (the first three, whole)."""
    return page.article.paragraphs[:3]


def respond(page: LabPage, view: Page, *, large_page_bytes: int, slow_seconds: float,
            comment_page: int | None = None) -> Response:
    """The lab page's (mis)behaviour; ``comment_page``: one of its /comment-page-N/ pages."""
    article = page.article
    kind = page.kind
    if kind == "comment-pages":
        return _comment_page(page, view, comment_page or len(PAGE_SPLITS))
    if comment_page is not None:
        return Response(404, b"<!DOCTYPE html><html><body><h1>Not Found</h1></body></html>", cacheable=False)
    if kind == "comments-api":
        mount = (f'<div id="reader-comments-app" data-thread-id="{article.number}" data-page-size="{API_PAGE_SIZE}">'
                 f'<noscript>Reader comments need JavaScript.</noscript></div>')
        html = wordpress_article(replace(article, comments=[]), view, extra_body=mount)
        return Response(200, html.encode("utf-8"), last_modified=article.last_changed)
    if kind == "custom-cms":
        return Response(200, custom_cms_article(article, view).encode("utf-8"), last_modified=article.last_changed)
    if kind == "server-error":
        return Response(500, b"<!DOCTYPE html><html><body><h1>Internal Server Error</h1></body></html>",
                        cacheable=False)
    if kind == "not-found":
        return Response(404, b"<!DOCTYPE html><html><body><h1>Not Found</h1></body></html>", cacheable=False)
    if kind == "pdf":
        return Response(200, PDF_BYTES, "application/pdf", last_modified=article.published)
    if kind == "redirect-loop":
        target = "/lab/articles/redirect-loop-b/"
        return Response(302, b"", headers={"Location": view.url(target)}, cacheable=False)
    if kind in ("cp1251-header", "cp1251-meta", "latin1"):
        return _encoded(page, view)
    if kind == "binary":
        return Response(200, random.Random(article.number).randbytes(BINARY_BYTES), "text/html",
                        last_modified=article.published)
    if kind == "utf16-header":
        # A UTF-8 page whose server claims UTF-16, and the page itself declares nothing.
        return Response(200, wordpress_article(article, view, charset_tag="").encode("utf-8"),
                        "text/html; charset=utf-16", last_modified=article.last_changed)
    html = wordpress_article(article, view)
    if kind == "truncated":
        body = html.encode("utf-8")
        fourth = body.index(b"<p>" + article.paragraphs[3].encode("utf-8")[:20])
        return Response(200, body[: fourth + 60], last_modified=article.published)
    if kind == "oversized":
        return Response(200, _oversized(html, large_page_bytes), last_modified=article.published)
    if kind == "slow":
        return Response(200, html.encode("utf-8"), last_modified=article.published, delay=slow_seconds)
    return Response(200, html.encode("utf-8"), last_modified=article.last_changed)


def redirect_loop_b(view: Page) -> Response:
    return Response(302, b"", headers={"Location": view.url("/lab/articles/redirect-loop-a/")}, cacheable=False)


def _encoded(page: LabPage, view: Page) -> Response:
    charset = "windows-1251" if page.encoding == "cp1251" else "iso-8859-1"
    if page.kind == "cp1251-header":
        # Declared in the HTTP header only.
        html = wordpress_article(page.article, view, charset_tag="")
        content_type = f"text/html; charset={charset}"
    elif page.kind == "cp1251-meta":
        # Declared in <meta> only; the header says nothing.
        tag = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
        html = wordpress_article(page.article, view, charset_tag=tag)
        content_type = "text/html"
    else:
        html = wordpress_article(page.article, view, charset_tag=f'<meta charset="{charset}">')
        content_type = f"text/html; charset={charset}"
    # Characters the legacy charset lacks (typographic dashes, quotes) become numeric references.
    body = html.encode(page.encoding, errors="xmlcharrefreplace")
    return Response(200, body, content_type, last_modified=page.article.last_changed)


def _oversized(html: str, size: int) -> bytes:
    # A real-world cause of huge pages: the app state inlined into the HTML.
    line_item = {"department": "harbour", "item": "pier maintenance", "amount": 1250000, "note": "x" * 200}
    chunk = json.dumps(line_item)
    rows_needed = size // (len(chunk) + 1) + 1
    rows = ",".join(chunk for _ in range(rows_needed))
    blob = f'<script>window.__INITIAL_STATE__ = {{"budget": [{rows}]}};</script>\n'
    return html.replace("</head>", blob + "</head>", 1).encode("utf-8")



def _plain(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


# --- paginated WordPress comments: "newest page first", as WordPress does by default ----------------

def _comment_page(page: LabPage, view: Page, number: int) -> Response:
    """Comment page ``number`` (1 = oldest); the article URL shows the last one, with "Older comments" links back."""
    last = len(PAGE_SPLITS)
    if not 1 <= number <= last:
        return Response(404, b"<!DOCTYPE html><html><body><h1>Not Found</h1></body></html>", cacheable=False)
    article = page.article
    start, end = PAGE_SPLITS[number - 1]
    shown = [c for c, _depth in article.thread()][start:end]
    url = view.url(article.path)

    def link(n: int) -> str:
        return url if n == last else f"{url}comment-page-{n}/"

    older = f'<div class="nav-previous"><a href="{link(number - 1)}#comments">Older comments</a></div>' if number > 1 else ""
    newer = f'<div class="nav-next"><a href="{link(number + 1)}#comments">Newer comments</a></div>' if number < last else ""
    nav = (f'\n<nav class="navigation comment-navigation" aria-label="Comments"><h2 class="screen-reader-text">'
           f'Comments navigation</h2><div class="nav-links">{older}{newer}</div></nav>')
    html = wordpress_article(article, view, shown=shown, comment_nav=nav)
    return Response(200, html.encode("utf-8"), last_modified=article.last_changed)


# --- a JSON comments API that wants a key, paged by a cursor ------------------------------------------

def comments_api(pages: list[LabPage], query: dict[str, list[str]]) -> Response:
    """``/lab/api/comments?thread=N&api_key=KEY[&cursor=C]``: the thread's comments, API_PAGE_SIZE at a time."""
    if (query.get("api_key") or [""])[0] != COMMENTS_API_KEY:
        return _json({"code": 5, "error": "Invalid API key"}, 403)
    thread = (query.get("thread") or [""])[0]
    page = next((p for p in pages if p.kind == "comments-api" and str(p.article.number) == thread), None)
    if page is None:
        return _json({"code": 2, "error": f"no thread {thread!r}"}, 404)
    cursor = (query.get("cursor") or [""])[0]
    start = int(cursor[1:]) if re.fullmatch(r"c\d+", cursor) else 0
    thread_order = [c for c, _depth in page.article.thread()]
    chunk = thread_order[start:start + API_PAGE_SIZE]
    following = start + API_PAGE_SIZE
    has_next = following < len(thread_order)
    return _json({
        "code": 0,
        "response": {"comments": [
            {"id": c.id, "parent": c.parent, "author": {"name": c.author, "isAnonymous": False},
             "createdAt": c.published.strftime("%Y-%m-%dT%H:%M:%S"), "raw_message": c.html or escape(c.text),
             "likes": 2 * (c.id % 5)}
            for c in chunk
        ]},
        "cursor": {"hasNext": has_next, "next": f"c{following}" if has_next else None},
    })


def _json(data: object, status: int = 200) -> Response:
    return Response(status, json.dumps(data).encode("utf-8"), "application/json", cacheable=False)


# --- a custom CMS whose comment markup only per-source selectors make sense of -------------------------

def custom_cms_article(article: DemoArticle, view: Page) -> str:
    """Flat comments with the parent in ``data-reply-of``: no markup the generic extractors know."""
    items = "\n".join(
        f'<div class="rc-item{" rc-item--answer" if c.parent else ""}" data-id="{c.id}" data-reply-of="{c.parent or ""}">'
        f'<div class="rc-top"><span class="rc-name">{escape(c.author)}</span> &middot; '
        f'<span class="rc-date">{wp_datetime(c.published)}</span></div>'
        f'<div class="rc-body"><p>{escape(c.text)}</p></div>'
        f'<div class="rc-tools"><a href="#" class="rc-answer">Answer</a></div></div>'
        for c, _depth in article.thread()
    )
    paragraphs = "\n".join(f"<p>{escape(p)}</p>" for p in article.paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Port Aldren Gazette</title>
<link rel="canonical" href="{view.url(article.path)}"></head>
<body><div class="masthead"><a href="{view.url('/lab/')}">Port Aldren Gazette</a></div>
<div class="story">
<h1 class="headline">{escape(article.title)}</h1>
<p class="byline">By <a href="{view.url('/lab/people/gazette-desk/')}">{escape(article.authors[0])}</a></p>
<time class="published" datetime="{article.published.isoformat()}">{wp_datetime(article.published)}</time>
<div class="story-body">
{paragraphs}
</div></div>
<section id="reader-comments"><h2>Reader voices ({len(article.comments)})</h2>
{items}
</section>
</body></html>"""


# --- hostile pages that need the rest of the site --------------------------------------------------------

def cross_canonical(page: LabPage, view: Page, victim_url: str) -> Response:
    """The lab page declares another outlet's article as its canonical URL (rel=canonical and og:url)."""
    own = view.url(page.article.path)
    html = wordpress_article(page.article, view)
    html = html.replace(f'<link rel="canonical" href="{own}">', f'<link rel="canonical" href="{victim_url}">')
    html = html.replace(f'<meta property="og:url" content="{own}">', f'<meta property="og:url" content="{victim_url}">')
    return Response(200, html.encode("utf-8"), last_modified=page.article.last_changed)


def sitemap(view: Page, rest: str, hostile: list[LabPage]) -> Response | None:
    """The hostile sitemaps under ``/lab/sitemaps/``: ``hostile.xml`` (the hostile pages), ``bomb.xml.gz`` (lists
    the lab's newest article, then inflates to BOMB_INFLATED_BYTES), ``chain-N.xml`` (an index of ``chain-N+1``;
    the last, CHAIN_DEPTH, lists the lab's second-newest article) and ``bulk.xml.gz``."""
    if rest == "hostile.xml":
        return _urlset([view.url(page.article.path) for page in hostile])
    if rest == "bomb.xml.gz":
        return Response(200, _bomb(view.url(view.articles[0].path)), "application/xml", cacheable=False)
    if rest == "bulk.xml.gz":
        return Response(200, _bulk_sitemap(view.url("/lab/articles/")), "application/x-gzip", cacheable=False)
    chain = re.fullmatch(r"chain-([1-9]\d*)\.xml", rest)
    if chain is None or int(chain.group(1)) > CHAIN_DEPTH:
        return None
    number = int(chain.group(1))
    if number == CHAIN_DEPTH:
        return _urlset([view.url(view.articles[1].path)])
    child = view.url(f"/lab/sitemaps/chain-{number + 1}.xml")
    body = f'<?xml version="1.0"?><sitemapindex xmlns="{_SITEMAP_NS}"><sitemap><loc>{child}</loc></sitemap></sitemapindex>'
    return Response(200, body.encode("utf-8"), "application/xml", cacheable=False)


def _urlset(urls: list[str]) -> Response:
    entries = "".join(f"<url><loc>{escape(url)}</loc></url>" for url in urls)
    body = f'<?xml version="1.0"?><urlset xmlns="{_SITEMAP_NS}">{entries}</urlset>'
    return Response(200, body.encode("utf-8"), "application/xml", cacheable=False)


def bulk_article(view: Page, number: int) -> Response | None:
    """``/lab/articles/bulk-N/``: the small article pages the bulk sitemap lists."""
    if not 0 <= number < BULK_URLS:
        return None
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in PLAIN[:2])
    html = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Bulk note {number}</title>'
            f'<link rel="canonical" href="{view.url(f"/lab/articles/bulk-{number}/")}"></head><body><article>'
            f"<h1>Harbour note number {number}</h1>{paragraphs}</article></body></html>")
    return Response(200, html.encode("utf-8"), cacheable=False)


_SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


@functools.cache
def _bomb(first_url: str) -> bytes:
    # One real entry, then BOMB_INFLATED_BYTES of whitespace as 1 MiB gzip members (a gzip body may hold many, and
    # readers inflate them as one stream): about 0.5 MB on the wire, built in milliseconds, once per server.
    head = f'<?xml version="1.0"?><urlset xmlns="{_SITEMAP_NS}"><url><loc>{escape(first_url)}</loc></url>'
    padding = gzip.compress(b" " * (1 << 20), 9)
    return b"".join([gzip.compress(head.encode(), 9), padding * (BOMB_INFLATED_BYTES >> 20),
                     gzip.compress(b"</urlset>", 9)])


@functools.cache
def _bulk_sitemap(prefix: str) -> bytes:
    entries = "".join(f"<url><loc>{prefix}bulk-{n}/</loc></url>" for n in range(BULK_URLS))
    return gzip.compress(f'<?xml version="1.0"?><urlset xmlns="{_SITEMAP_NS}">{entries}</urlset>'.encode(), 6)
