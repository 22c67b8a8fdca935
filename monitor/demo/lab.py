"""The lab outlet: test-only pages that misbehave on purpose (encodings, errors, hostile markup)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from monitor.demo.content import DemoArticle, DemoComment, article_path
from monitor.demo.render import Page, wordpress_article
from monitor.demo.response import Response

UTC = timezone.utc

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
}

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
        return EXPECT[self.kind]


def build_lab(next_comment_id: list[int]) -> list[LabPage]:
    pages = []
    for number, spec in enumerate(SPECS, start=1):
        published = datetime.strptime(spec.when, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
        article = DemoArticle(
            outlet="lab", slug=spec.slug,
            path=article_path("lab", spec.slug, published, section="city", number=number),
            title=spec.title, authors=list(spec.authors), published=published, section="city",
            tags=["lab", spec.kind], paragraphs=list(spec.paragraphs),
            image=f"/lab/img/{spec.slug}.png", number=number,
        )
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


def respond(page: LabPage, view: Page, *, large_page_bytes: int, slow_seconds: float) -> Response:
    """The lab page's (mis)behaviour."""
    article = page.article
    kind = page.kind
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

