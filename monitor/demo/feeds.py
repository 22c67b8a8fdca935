"""Machine-readable discovery surfaces: RSS, Atom, JSON Feed, sitemaps and robots.txt."""
from __future__ import annotations

import json
from datetime import datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape, quoteattr

from monitor.demo.content import DemoArticle, Outlet, slugify
from monitor.demo.render import SECTIONS, Page, tracked

ROBOTS_DISALLOW = ("/harbor-times/private/", "/_admin/")
SITEMAPS = {
    "harbor-times": "/harbor-times/wp-sitemap.xml",  # a sitemap index, as WordPress serves it
    "northern-ledger": "/northern-ledger/sitemap-news.xml",  # a Google News sitemap
    "valley-post": "/valley-post/sitemap.xml",  # a plain urlset
}


def _iso(d: datetime) -> str:
    return d.isoformat()


def rss(outlet: Outlet, page: Page, articles: list[DemoArticle], *, feed_path: str) -> str:
    """RSS 2.0 the way WordPress writes it (dc:creator, content:encoded, slash:comments)."""
    items = []
    for i, a in enumerate(articles):
        link = page.url(tracked(a.path, i, "rss"))
        categories = "".join(f"<category><![CDATA[{t}]]></category>" for t in a.tags)
        creators = "".join(f"<dc:creator><![CDATA[{name}]]></dc:creator>" for name in a.authors)
        body = "".join(f"<p>{escape(p)}</p>" for p in a.paragraphs).replace("]]>", "]]]]><![CDATA[>")
        items.append(f"""<item>
<title>{escape(a.title)}</title>
<link>{escape(link)}</link>
<comments>{escape(page.url(a.path))}#comments</comments>
{creators}
<pubDate>{format_datetime(a.published)}</pubDate>
{categories}
<guid isPermaLink="false">{escape(page.url(f"/{outlet.name}/?p={a.number}"))}</guid>
<description><![CDATA[{a.summary()}]]></description>
<content:encoded><![CDATA[{body}]]></content:encoded>
<slash:comments>{len(a.comments)}</slash:comments>
</item>""")
    newest = max((a.last_changed for a in articles), default=None)
    build = f"<lastBuildDate>{format_datetime(newest)}</lastBuildDate>\n" if newest else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:slash="http://purl.org/rss/1.0/modules/slash/">
<channel>
<title>{escape(outlet.title)}</title>
<atom:link href={quoteattr(page.url(feed_path))} rel="self" type="application/rss+xml" />
<link>{escape(page.url(f"/{outlet.name}/"))}</link>
<description>{escape(outlet.tagline)}</description>
{build}<language>en-US</language>
<generator>https://wordpress.org/?v=6.7.2</generator>
{chr(10).join(items)}
</channel>
</rss>
"""


def atom(outlet: Outlet, page: Page, articles: list[DemoArticle]) -> str:
    entries = []
    for i, a in enumerate(articles):
        authors = "".join(f"<author><name>{escape(name)}</name></author>" for name in a.authors)
        categories = "".join(f"<category term={quoteattr(slugify(t))} label={quoteattr(t)}/>" for t in a.tags)
        entries.append(f"""<entry>
<id>tag:northern-ledger.example,2025:article-{a.number}</id>
<title type="text">{escape(a.title)}</title>
<link rel="alternate" type="text/html" href={quoteattr(page.url(tracked(a.path, i, "atom")))}/>
<published>{_iso(a.published)}</published>
<updated>{_iso(a.modified or a.published)}</updated>
{authors}
{categories}
<summary type="text">{escape(a.summary())}</summary>
</entry>""")
    updated = max((a.modified or a.published for a in articles), default=None)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-GB">
<id>{escape(page.url("/northern-ledger/"))}</id>
<title>{escape(outlet.title)}</title>
<subtitle>{escape(outlet.tagline)}</subtitle>
<link rel="self" type="application/atom+xml" href={quoteattr(page.url("/northern-ledger/atom.xml"))}/>
<link rel="alternate" type="text/html" href={quoteattr(page.url("/northern-ledger/"))}/>
<updated>{_iso(updated) if updated else "2025-03-01T00:00:00+00:00"}</updated>
{chr(10).join(entries)}
</feed>
"""


def json_feed(outlet: Outlet, page: Page, articles: list[DemoArticle]) -> str:
    items = []
    for i, a in enumerate(articles):
        item: dict[str, object] = {
            "id": str(a.number),
            "url": page.url(tracked(a.path, i, "jsonfeed")),
            "title": a.title,
            "summary": a.summary(),
            "content_text": "\n\n".join(a.paragraphs),
            "image": page.url(a.image),
            "date_published": _iso(a.published),
            "authors": [{"name": name} for name in a.authors],
            "tags": a.tags,
        }
        if a.modified:
            item["date_modified"] = _iso(a.modified)
        items.append(item)
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": outlet.title,
        "home_page_url": page.url("/valley-post/"),
        "feed_url": page.url("/valley-post/feed.json"),
        "description": outlet.tagline,
        "language": "en",
        "items": items,
    }
    return json.dumps(feed, ensure_ascii=False, indent=2) + "\n"


def _urlset(entries: str, *, news: bool = False) -> str:
    ns = ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"' if news else ""
    ns += ' xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"'
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"{ns}>
{entries}
</urlset>
"""


def wp_sitemap_index(page: Page) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{escape(page.url("/harbor-times/wp-sitemap-posts-post-1.xml"))}</loc></sitemap>
<sitemap><loc>{escape(page.url("/harbor-times/wp-sitemap-taxonomies-category-1.xml"))}</loc></sitemap>
</sitemapindex>
"""


def wp_sitemap_posts(page: Page, articles: list[DemoArticle]) -> str:
    entries = "\n".join(
        f"<url><loc>{escape(page.url(a.path))}</loc><lastmod>{_iso(a.modified or a.published)}</lastmod></url>"
        for a in articles
    )
    return _urlset(entries)


def wp_sitemap_categories(page: Page) -> str:
    entries = "\n".join(
        f"<url><loc>{escape(page.url(f'/harbor-times/category/{key}/'))}</loc></url>" for key in SECTIONS
    )
    return _urlset(entries)


def news_sitemap(outlet: Outlet, page: Page, articles: list[DemoArticle]) -> str:
    entries = "\n".join(
        f"""<url>
<loc>{escape(page.url(a.path))}</loc>
<news:news>
<news:publication><news:name>{escape(outlet.title)}</news:name><news:language>en</news:language></news:publication>
<news:publication_date>{_iso(a.published)}</news:publication_date>
<news:title>{escape(a.title)}</news:title>
<news:keywords>{escape(", ".join(a.tags))}</news:keywords>
</news:news>
<image:image><image:loc>{escape(page.url(a.image))}</image:loc></image:image>
</url>"""
        for a in articles
    )
    return _urlset(entries, news=True)


def plain_sitemap(page: Page, articles: list[DemoArticle]) -> str:
    entries = "\n".join(
        f"<url><loc>{escape(page.url(a.path))}</loc><lastmod>{(a.modified or a.published):%Y-%m-%d}</lastmod>"
        f"<changefreq>daily</changefreq><priority>0.8</priority></url>"
        for a in articles
    )
    return _urlset(entries)


def robots_txt(page: Page) -> str:
    lines = ["# Demo news site: obey this file.", "User-agent: *"]
    lines += [f"Disallow: {path}" for path in ROBOTS_DISALLOW]
    lines += ["", *(f"Sitemap: {page.url(path)}" for path in SITEMAPS.values())]
    return "\n".join(lines) + "\n"
