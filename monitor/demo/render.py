"""HTML pages of the demo outlets: article pages in three CMS markups, home and section pages."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from html import escape

from monitor.demo.content import (
    LAB,
    OUTLETS,
    SECTIONS,
    DemoArticle,
    DemoComment,
    Outlet,
    slugify,
)

FEED_LINKS = {
    "harbor-times": ("application/rss+xml", "/harbor-times/feed/"),
    "northern-ledger": ("application/atom+xml", "/northern-ledger/atom.xml"),
    "valley-post": ("application/feed+json", "/valley-post/feed.json"),
    "lab": ("application/rss+xml", "/lab/feed.xml"),
}


@dataclass(frozen=True)
class Page:
    """What a page is rendered against: the server's base URL and the outlet's other articles."""

    base: str
    articles: tuple[DemoArticle, ...]  # the outlet's articles, newest first

    def url(self, path: str) -> str:
        return self.base + path


def outlet_of(name: str) -> Outlet:
    return LAB if name == "lab" else OUTLETS[name]


# --- dates, one format per CMS ------------------------------------------------------------------

def wp_date(d: datetime) -> str:
    return f"{d:%B} {d.day}, {d.year}"


def wp_datetime(d: datetime) -> str:
    hour = d.hour % 12 or 12
    return f"{wp_date(d)} at {hour}:{d:%M} {'am' if d.hour < 12 else 'pm'}"


def ledger_datetime(d: datetime) -> str:
    return f"{d.day} {d:%b %Y, %H:%M}"


def valley_datetime(d: datetime) -> str:
    return f"{d:%m/%d/%Y %H:%M}"


def tracked(path: str, index: int, source: str) -> str:
    """Every other link carries tracking parameters, so crawlers must canonicalise."""
    return f"{path}?utm_source={source}&utm_medium=web" if index % 2 else path


def _paragraphs(article: DemoArticle) -> str:
    return "\n".join(f"<p>{escape(p)}</p>" for p in article.paragraphs)


def _comment_body(comment: DemoComment) -> str:
    if comment.html is not None:
        return comment.html
    return "".join(f"<p>{escape(p)}</p>" for p in comment.text.split("\n\n"))


def _children(article: DemoArticle) -> dict[int | None, list[DemoComment]]:
    children: dict[int | None, list[DemoComment]] = {}
    for comment, _depth in article.thread():
        children.setdefault(comment.parent, []).append(comment)
    return children


COOKIE_TEXT = (
    "We use cookies and similar technologies to remember your preferences, measure how our site is "
    "used and show you relevant advertising. You can change your choices at any time."
)


# --- WordPress (The Harbor Times, and the lab) ----------------------------------------------------

UTF8_TAG = '<meta charset="UTF-8">'


def _wp_head(outlet: Outlet, page: Page, title: str, canonical: str, extra: str = "",
             charset_tag: str = UTF8_TAG) -> str:
    feed_type, feed_path = FEED_LINKS[outlet.name]
    return f"""<!DOCTYPE html>
<html lang="en-US" class="no-js">
<head>
{charset_tag + chr(10) if charset_tag else ""}<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{escape(title)}</title>
<link rel="canonical" href="{escape(canonical)}">
<link rel="alternate" type="{feed_type}" title="{escape(outlet.title)} &raquo; Feed" href="{page.url(feed_path)}">
<link rel="stylesheet" id="harbor-style-css" href="{page.url('/' + outlet.name + '/wp-content/themes/harbor/style.css')}?ver=2.4" media="all">
<script src="{page.url('/' + outlet.name + '/wp-includes/js/jquery/jquery.min.js')}?ver=3.7.1" id="jquery-core-js"></script>
<meta name="generator" content="WordPress 6.7.2">
{extra}</head>"""


def _wp_header(outlet: Outlet, page: Page) -> str:
    home = page.url(f"/{outlet.name}/")
    items = "".join(
        f'<li class="menu-item menu-item-type-taxonomy"><a href="{page.url(f"/{outlet.name}/category/{key}/")}">{label}</a></li>'
        for key, label in SECTIONS.items()
    )
    return f"""<div id="cookie-notice" role="dialog" class="cookie-notice-hidden cookie-revoke-hidden cn-position-bottom">
<div class="cookie-notice-container"><span id="cn-notice-text" class="cn-text-container">{COOKIE_TEXT}</span>
<span id="cn-notice-buttons"><a href="#" id="cn-accept-cookie" class="cn-set-cookie cn-button">Accept</a><a href="#" id="cn-refuse-cookie" class="cn-set-cookie cn-button">Reject</a><a href="{page.url(f'/{outlet.name}/privacy-policy/')}" class="cn-privacy-policy-link">Privacy policy</a></span></div></div>
<a class="skip-link screen-reader-text" href="#site-content">Skip to the content</a>
<header id="site-header" class="header-footer-group">
<div class="header-inner section-inner"><div class="header-titles-wrapper"><div class="header-titles">
<div class="site-title faux-heading"><a href="{home}">{escape(outlet.title)}</a></div>
<div class="site-description">{escape(outlet.tagline)}</div></div></div>
<div class="header-navigation-wrapper"><nav class="primary-menu-wrapper" aria-label="Horizontal">
<ul class="primary-menu reset-list-style"><li class="menu-item menu-item-home"><a href="{home}">Home</a></li>{items}</ul></nav>
<form role="search" method="get" class="search-form" action="{home}"><label><span class="screen-reader-text">Search for:</span>
<input type="search" class="search-field" placeholder="Search &hellip;" value="" name="s"></label><input type="submit" class="search-submit" value="Search"></form>
</div></div></header>"""


def _wp_footer(outlet: Outlet, page: Page) -> str:
    recent = "".join(
        f'<li><a href="{page.url(a.path)}">{escape(a.title)}</a></li>' for a in page.articles[:5]
    )
    return f"""<footer id="site-footer" class="header-footer-group">
<aside class="footer-widgets-outer-wrapper"><div class="widget widget_recent_entries"><h2 class="widget-title">Recent Posts</h2><ul>{recent}</ul></div>
<div class="widget widget_text"><h2 class="widget-title">About us</h2><div class="textwidget"><p>{escape(outlet.title)} is an independent newsroom. Tips: newsdesk@example.invalid</p></div></div></aside>
<div class="section-inner"><div class="footer-credits"><p class="footer-copyright">&copy; 2025 <a href="{page.url(f'/{outlet.name}/')}">{escape(outlet.title)}</a></p>
<p class="powered-by-wordpress"><a href="https://wordpress.org/">Powered by WordPress</a></p></div>
<a class="to-the-top" href="#site-header">To the top &uarr;</a></div></footer>
<script id="harbor-js-js" src="{page.url(f'/{outlet.name}/wp-content/themes/harbor/assets/js/index.js')}?ver=2.4"></script>
</body>
</html>"""


def _wp_comment(article: DemoArticle, comment: DemoComment, depth: int, index: int,
                children: dict[int | None, list[DemoComment]], page: Page,
                reply_to: DemoComment | None = None) -> str:
    url = page.url(article.path)
    # A reply whose parent is on another comment page says whom it answers, as many themes print it.
    answers = (f'\n<p class="comment-in-reply-to">In reply to <a href="{url}#comment-{reply_to.id}">'
               f'{escape(reply_to.author)}</a></p>' if reply_to is not None else "")
    parity = "even" if index % 2 == 0 else "odd"
    kids = children.get(comment.id, [])
    inner = ""
    if kids:
        inner = '\n<ul class="children">\n' + "\n".join(
            _wp_comment(article, kid, depth + 1, i, children, page) for i, kid in enumerate(kids)
        ) + "\n</ul>"
    classes = f"comment {parity} depth-{depth}" + (" parent" if kids else "")
    return f"""<li id="comment-{comment.id}" class="{classes}">
<article id="div-comment-{comment.id}" class="comment-body">
<footer class="comment-meta">
<div class="comment-author vcard"><img alt="" src="{page.url('/' + article.outlet + '/avatar/' + slugify(comment.author) + '.png')}" class="avatar avatar-56 photo" height="56" width="56" loading="lazy"><b class="fn">{escape(comment.author)}</b> <span class="says">says:</span></div>
<div class="comment-metadata"><a href="{url}#comment-{comment.id}"><time datetime="{comment.published.isoformat()}">{wp_datetime(comment.published)}</time></a></div>{answers}
</footer>
<div class="comment-content">{_comment_body(comment)}</div>
<div class="reply"><a rel="nofollow" class="comment-reply-link" href="{url}?replytocom={comment.id}#respond" data-commentid="{comment.id}" data-postid="{article.number}" data-belowelement="div-comment-{comment.id}" data-respondelement="respond" aria-label="Reply to {escape(comment.author)}">Reply</a></div>
</article>{inner}
</li>"""


def wordpress_article(article: DemoArticle, page: Page, *, charset_tag: str = UTF8_TAG,
                      shown: list[DemoComment] | None = None, comment_nav: str = "", extra_body: str = "") -> str:
    """WordPress markup; ``charset_tag`` is the head's first line (empty: no declaration in the page).

    ``shown``: the comments of this comment page (default: all); ``comment_nav``: the links to the other
    comment pages; ``extra_body``: markup after the article text (a JavaScript comments app's mount point).
    """
    outlet = outlet_of(article.outlet)
    url = page.url(article.path)
    modified = article.modified or article.published
    authors = ", ".join(
        f'<a href="{page.url(f"/{outlet.name}/author/{slugify(a)}/")}" class="url fn n">{escape(a)}</a>'
        for a in article.authors
    )
    head = _wp_head(outlet, page, f"{article.title} – {outlet.title}", url, charset_tag=charset_tag, extra=f"""<meta property="og:locale" content="en_US">
<meta property="og:type" content="article">
<meta property="og:title" content="{escape(article.title)}">
<meta property="og:description" content="{escape(article.summary())}">
<meta property="og:url" content="{url}">
<meta property="og:site_name" content="{escape(outlet.title)}">
<meta property="og:image" content="{page.url(article.image)}">
<meta property="article:published_time" content="{article.published.isoformat()}">
<meta property="article:modified_time" content="{modified.isoformat()}">
<meta name="author" content="{escape(', '.join(article.authors))}">
""")
    tags = "".join(
        f'<a href="{page.url(f"/{outlet.name}/tag/{slugify(t)}/")}" rel="tag">{escape(t)}</a>' for t in article.tags
    )
    if shown is None:
        children = _children(article)
        comments = "\n".join(
            _wp_comment(article, c, 1, i, children, page) for i, c in enumerate(children.get(None, []))
        )
    else:
        comments = _wp_comment_page(article, shown, page)
    related = [a for a in page.articles if a.path != article.path and a.section == article.section][:3]
    related_html = "".join(
        f'<div class="jp-relatedposts-post"><h4 class="jp-relatedposts-post-title"><a href="{page.url(tracked(a.path, 1, "related"))}">{escape(a.title)}</a></h4>'
        f'<p class="jp-relatedposts-post-date">{wp_date(a.published)}</p></div>'
        for a in related
    )
    n = len(article.comments)
    comments_block = ""
    if n:
        comments_block = f"""<div class="comments" id="comments">
<div class="comments-header section-inner small max-percentage"><h2 class="comment-reply-title">{n} {'reply' if n == 1 else 'replies'} on &ldquo;{escape(article.title)}&rdquo;</h2></div>
<ol class="commentlist">
{comments}
</ol>{comment_nav}
</div>"""
    return f"""{head}
<body class="post-template-default single single-post postid-{article.number} single-format-standard has-post-thumbnail">
{_wp_header(outlet, page)}
<main id="site-content" role="main">
<article class="post-{article.number} post type-post status-publish format-standard has-post-thumbnail hentry category-{article.section}" id="post-{article.number}">
<header class="entry-header has-text-align-center header-footer-group"><div class="entry-header-inner section-inner medium">
<div class="entry-categories"><span class="screen-reader-text">Categories</span><div class="entry-categories-inner"><a href="{page.url(f'/{outlet.name}/category/{article.section}/')}" rel="category tag">{SECTIONS.get(article.section, article.section.title())}</a></div></div>
<h1 class="entry-title">{escape(article.title)}</h1>
<div class="post-meta-wrapper post-meta-single post-meta-single-top"><ul class="post-meta">
<li class="post-author meta-wrapper"><span class="meta-text">By {authors}</span></li>
<li class="post-date meta-wrapper"><span class="meta-text"><a href="{url}"><time class="entry-date published" datetime="{article.published.isoformat()}">{wp_date(article.published)}</time><time class="updated" datetime="{modified.isoformat()}">{wp_date(modified)}</time></a></span></li>
<li class="post-comment-link meta-wrapper"><span class="meta-text"><a href="{url}#respond">{n} Comments</a></span></li>
</ul></div></div></header>
<figure class="featured-media"><div class="featured-media-inner section-inner"><img width="1200" height="675" src="{page.url(article.image)}" class="attachment-post-thumbnail size-post-thumbnail wp-post-image" alt="" decoding="async"></div></figure>
<div class="post-inner thin"><div class="entry-content">
{_paragraphs(article)}
{extra_body}<div class="sharedaddy sd-sharing-enabled"><div class="robots-nocontent sd-block sd-social sd-social-icon-text sd-sharing"><h3 class="sd-title">Share this:</h3><div class="sd-content"><ul>
<li class="share-facebook"><a rel="nofollow noopener noreferrer" class="share-facebook sd-button" href="{url}?share=facebook" target="_blank"><span>Facebook</span></a></li>
<li class="share-x"><a rel="nofollow noopener noreferrer" class="share-x sd-button" href="{url}?share=x" target="_blank"><span>X</span></a></li>
<li class="share-email"><a rel="nofollow noopener noreferrer" class="share-email sd-button" href="mailto:?subject={escape(article.title)}"><span>Email</span></a></li>
</ul></div></div></div>
<div id="jp-relatedposts" class="jp-relatedposts"><h3 class="jp-relatedposts-headline"><em>Related</em></h3>{related_html}</div>
</div></div>
<div class="section-inner"><div class="post-meta-wrapper post-meta-single post-meta-single-bottom"><ul class="post-meta"><li class="post-tags meta-wrapper"><span class="meta-text">{tags}</span></li></ul></div></div>
<div class="comments-wrapper section-inner">
{comments_block}
<div id="respond" class="comment-respond"><h2 id="reply-title" class="comment-reply-title">Leave a Reply</h2>
<form action="{page.url(f'/{outlet.name}/wp-comments-post.php')}" method="post" id="commentform" class="section-inner thin max-percentage comment-form" novalidate>
<p class="comment-notes"><span id="email-notes">Your email address will not be published.</span> Required fields are marked <span class="required">*</span></p>
<p class="comment-form-comment"><label for="comment">Comment <span class="required">*</span></label><textarea id="comment" name="comment" cols="45" rows="8" maxlength="65525" required></textarea></p>
<p class="comment-form-author"><label for="author">Name <span class="required">*</span></label><input id="author" name="author" type="text" value="" size="30" maxlength="245" required></p>
<p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" value="Post Comment"><input type="hidden" name="comment_post_ID" value="{article.number}" id="comment_post_ID"><input type="hidden" name="comment_parent" id="comment_parent" value="0"></p>
</form></div>
</div>
</article>
</main>
{_wp_footer(outlet, page)}"""


def _wp_comment_page(article: DemoArticle, shown: list[DemoComment], page: Page) -> str:
    """One comment page: its threads, a reply whose parent is on another page at the top level."""
    depth_of = {c.id: d for c, d in article.thread()}
    by_id = {c.id: c for c in article.comments}
    ids = {c.id for c in shown}
    children: dict[int | None, list[DemoComment]] = {}
    for comment, _depth in article.thread():
        if comment.id in ids:
            children.setdefault(comment.parent if comment.parent in ids else None, []).append(comment)
    return "\n".join(
        _wp_comment(article, c, depth_of[c.id], i, children, page,
                    reply_to=by_id[c.parent] if c.parent is not None and c.parent not in ids else None)
        for i, c in enumerate(children.get(None, []))
    )


def wordpress_listing(outlet: Outlet, page: Page, heading: str, articles: list[DemoArticle],
                      canonical_path: str) -> str:
    head = _wp_head(outlet, page, f"{heading} – {outlet.title}" if heading else outlet.title, page.url(canonical_path))
    posts = "\n".join(
        f"""<article class="post-{a.number} post type-post status-publish hentry category-{a.section}">
<header class="entry-header"><h2 class="entry-title heading-size-1"><a href="{page.url(tracked(a.path, i, 'home'))}">{escape(a.title)}</a></h2>
<div class="post-meta-wrapper"><ul class="post-meta"><li class="post-author">By {escape(', '.join(a.authors))}</li><li class="post-date"><time datetime="{a.published.isoformat()}">{wp_date(a.published)}</time></li></ul></div></header>
<div class="entry-content"><p>{escape(a.summary())} <a href="{page.url(a.path)}" class="more-link">Continue reading <span class="screen-reader-text">{escape(a.title)}</span></a></p></div>
</article>"""
        for i, a in enumerate(articles)
    )
    title = f'<header class="archive-header"><h1 class="archive-title">{escape(heading)}</h1></header>' if heading else ""
    return f"""{head}
<body class="home blog">
{_wp_header(outlet, page)}
<main id="site-content" role="main">
{title}
{posts or '<p class="no-results">Sorry, but nothing matched your search terms.</p>'}
</main>
{_wp_footer(outlet, page)}"""


# --- schema.org microdata (The Northern Ledger) ------------------------------------------------

def _ledger_chrome(page: Page, title: str, canonical: str, description: str = "") -> tuple[str, str]:
    nav = "".join(f'<a href="/northern-ledger/news/{k}/">{v}</a>' for k, v in SECTIONS.items())
    ticker = page.articles[0].title if page.articles else ""
    top = f"""<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>{escape(title)}</title>
<meta name="description" content="{escape(description)}">
<link rel="canonical" href="{escape(canonical)}">
<link rel="alternate" type="application/atom+xml" title="The Northern Ledger" href="/northern-ledger/atom.xml">
<link rel="stylesheet" href="/northern-ledger/assets/ledger.css">
<script async src="/northern-ledger/assets/ads.js"></script>
</head>
<body class="ledger">
<div class="consent-banner" id="gdpr-consent" aria-live="polite"><p>{COOKIE_TEXT}</p><button class="consent-accept">Accept all</button> <button class="consent-manage">Manage choices</button></div>
<header class="masthead"><a class="logo" href="/northern-ledger/">The Northern Ledger</a>
<nav class="sections" aria-label="Sections">{nav}</nav>
<a class="subscribe-cta" href="/northern-ledger/subscribe/">Subscribe from &pound;1 a week</a></header>
<div class="ticker"><span class="ticker-label">Latest</span> {escape(ticker)}</div>
<div class="ad-slot ad-leaderboard" data-slot="top">Advertisement</div>"""
    bottom = """<footer class="site-footer"><nav><a href="/northern-ledger/about/">About us</a> <a href="/northern-ledger/contact/">Contact</a> <a href="/northern-ledger/privacy/">Privacy</a> <a href="/northern-ledger/terms/">Terms</a></nav>
<p>&copy; 2025 The Northern Ledger Ltd. Registered in the north. All rights reserved.</p></footer>
</body>
</html>"""
    return top, bottom


def _ledger_comment(comment: DemoComment, children: dict[int | None, list[DemoComment]]) -> str:
    kids = "".join(_ledger_comment(k, children) for k in children.get(comment.id, []))
    replies = f'<div class="replies">{kids}</div>' if kids else ""
    likes = comment.likes or 0
    return f"""<div class="comment" id="c{comment.id}" itemprop="comment" itemscope itemtype="https://schema.org/Comment">
<meta itemprop="identifier" content="{comment.id}">
<div class="comment-head"><span class="comment-author" itemprop="author" itemscope itemtype="https://schema.org/Person"><span itemprop="name">{escape(comment.author)}</span></span>
<time itemprop="dateCreated" datetime="{comment.published.isoformat()}">{ledger_datetime(comment.published)}</time></div>
<div class="comment-text" itemprop="text">{_comment_body(comment)}</div>
<div class="comment-actions"><span class="likes" title="Recommended"><meta itemprop="upvoteCount" content="{likes}">&#9650; {likes}</span> <a class="reply" href="#reply-c{comment.id}">Reply</a> <a class="report" href="#report-c{comment.id}">Report</a></div>
{replies}</div>"""


def microdata_article(article: DemoArticle, page: Page) -> str:
    top, bottom = _ledger_chrome(page, f"{article.title} | The Northern Ledger", page.url(article.path), article.summary())
    byline = " and ".join(
        f'<span itemprop="author" itemscope itemtype="https://schema.org/Person"><a itemprop="url" href="/northern-ledger/authors/{slugify(a)}/"><span itemprop="name">{escape(a)}</span></a></span>'
        for a in article.authors
    )
    updated = ""
    if article.modified:
        updated = f' <span class="updated">Updated <time itemprop="dateModified" datetime="{article.modified.isoformat()}">{ledger_datetime(article.modified)}</time></span>'
    paragraphs = [f"<p>{escape(p)}</p>" for p in article.paragraphs]
    others = [a for a in page.articles if a.path != article.path]
    if len(paragraphs) > 2 and others:
        promo = others[article.number % len(others)]
        paragraphs.insert(2, f'<aside class="inline-promo">Read more: <a href="{promo.path}?utm_source=inline&utm_medium=article">{escape(promo.title)}</a></aside>')
    children = _children(article)
    comments = "".join(_ledger_comment(c, children) for c in children.get(None, []))
    tags = "".join(f'<li><a href="/northern-ledger/tags/{slugify(t)}/">{escape(t)}</a></li>' for t in article.tags)
    most_read = "".join(f'<li><a href="{a.path}">{escape(a.title)}</a></li>' for a in others[:5])
    return f"""{top}
<main class="layout">
<article class="story" itemscope itemtype="https://schema.org/NewsArticle">
<meta itemprop="mainEntityOfPage" content="{page.url(article.path)}">
<meta itemprop="keywords" content="{escape(', '.join(article.tags))}">
<div class="kicker"><a href="/northern-ledger/news/{article.section}/" itemprop="articleSection">{SECTIONS.get(article.section, article.section)}</a></div>
<h1 itemprop="headline">{escape(article.title)}</h1>
<p class="standfirst" itemprop="description">{escape(article.summary())}</p>
<div class="byline">By {byline}</div>
<div class="dateline"><time itemprop="datePublished" datetime="{article.published.isoformat()}">{ledger_datetime(article.published)}</time>{updated}</div>
<figure class="lead-image" itemprop="image" itemscope itemtype="https://schema.org/ImageObject"><img itemprop="url" src="{article.image}" alt="" width="1024" height="576"><figcaption>Photograph: Ledger staff</figcaption></figure>
<div class="story-body" itemprop="articleBody">
{chr(10).join(paragraphs)}
</div>
<ul class="story-tags">{tags}</ul>
<div class="newsletter-box"><h3>Get the Ledger in your inbox</h3><p>Our morning briefing, every weekday at 7am.</p><form action="/northern-ledger/newsletter/"><input type="email" name="email" placeholder="Email address"><button>Sign up</button></form></div>
<section class="comments" id="comments"><h2>Comments (<span itemprop="commentCount">{len(article.comments)}</span>)</h2>
{comments or '<p class="no-comments">Be the first to comment.</p>'}
</section>
</article>
<aside class="most-read"><h3>Most read</h3><ol>{most_read}</ol></aside>
</main>
{bottom}"""


def microdata_listing(page: Page, heading: str, articles: list[DemoArticle], canonical_path: str) -> str:
    top, bottom = _ledger_chrome(page, f"{heading} | The Northern Ledger" if heading else "The Northern Ledger", page.url(canonical_path))
    cards = "\n".join(
        f'<div class="card"><a class="card-link" href="{tracked(a.path, i, "home")}"><h3>{escape(a.title)}</h3></a>'
        f'<p>{escape(a.summary())}</p><span class="card-meta">{escape(", ".join(a.authors))} &middot; {ledger_datetime(a.published)}</span></div>'
        for i, a in enumerate(articles)
    )
    return f"""{top}
<main class="layout front"><h1 class="page-title">{escape(heading or 'Top stories')}</h1>
<section class="cards">{cards}</section>
</main>
{bottom}"""


# --- custom CMS with JSON-LD (The Valley Post) --------------------------------------------------

def _json_ld(data: object) -> str:
    # "</" would close the script element early.
    return json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")


def _ld_comment(article: DemoArticle, comment: DemoComment, children: dict[int | None, list[DemoComment]],
                page: Page) -> dict[str, object]:
    data: dict[str, object] = {
        "@type": "Comment",
        "@id": f"{page.url(article.path)}#cmt-{comment.id}",
        "author": {"@type": "Person", "name": comment.author},
        "dateCreated": comment.published.isoformat(),
        "text": comment.text,
    }
    kids = children.get(comment.id, [])
    if kids:
        data["comment"] = [_ld_comment(article, k, children, page) for k in kids]
    return data


def _valley_chrome(page: Page, title: str, canonical: str, ld: str = "") -> tuple[str, str]:
    nav = "".join(f'<li><a href="{page.url(f"/valley-post/topics/{k}")}">{v}</a></li>' for k, v in SECTIONS.items())
    top = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{escape(title)}</title>
<link rel="canonical" href="{escape(canonical)}">
<link rel="alternate" type="application/feed+json" title="The Valley Post" href="{page.url('/valley-post/feed.json')}">
<link rel="stylesheet" href="/valley-post/static/vp.min.css">
{ld}</head>
<body>
<div id="vp-consent" class="vp-consent"><p>{COOKIE_TEXT}</p><a class="vp-btn" href="#accept">OK</a></div>
<header class="vp-header"><a class="vp-brand" href="/valley-post/">The Valley Post</a><span class="vp-tagline">Your valley, your news</span>
<ul class="vp-nav">{nav}</ul>
<form class="vp-search" action="/valley-post/search"><input name="q" type="search" placeholder="Search the Post"></form></header>"""
    bottom = """<footer class="vp-footer"><ul><li><a href="/valley-post/about">About</a></li><li><a href="/valley-post/advertise">Advertise</a></li><li><a href="/valley-post/privacy">Privacy</a></li></ul>
<p>The Valley Post is a member of the Regional Press Association. &copy; 2025</p></footer>
<script src="/valley-post/static/vp.min.js" defer></script>
</body>
</html>"""
    return top, bottom


def _valley_comment(comment: DemoComment, children: dict[int | None, list[DemoComment]]) -> str:
    kids = "".join(_valley_comment(k, children) for k in children.get(comment.id, []))
    replies = f'<ul class="vp-thread vp-thread--replies">{kids}</ul>' if kids else ""
    return f"""<li class="vp-comment" id="cmt-{comment.id}" data-comment-id="{comment.id}">
<div class="vp-comment__meta"><strong class="vp-comment__author">{escape(comment.author)}</strong> <span class="vp-comment__date">{valley_datetime(comment.published)}</span></div>
<p class="vp-comment__body">{escape(comment.text)}</p><button class="vp-reply" type="button">Reply</button>{replies}</li>"""


def jsonld_article(article: DemoArticle, page: Page) -> str:
    url = page.url(article.path)
    children = _children(article)
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "headline": article.title,
        "description": article.summary(),
        "image": [page.url(article.image)],
        "datePublished": article.published.isoformat(),
        "dateModified": (article.modified or article.published).isoformat(),
        "author": [{"@type": "Person", "name": a} for a in article.authors],
        "publisher": {"@type": "Organization", "name": "The Valley Post",
                      "logo": {"@type": "ImageObject", "url": page.url("/valley-post/static/logo.png")}},
        "articleSection": SECTIONS.get(article.section, article.section),
        "keywords": article.tags,
        "inLanguage": "en",
        "commentCount": len(article.comments),
    }
    if article.comments:
        data["comment"] = [_ld_comment(article, c, children, page) for c in children.get(None, [])]
    crumbs = {
        "@context": "https://schema.org", "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": 1, "name": "Home", "item": page.url("/valley-post/")},
            {"@type": "ListItem", "position": 2, "name": SECTIONS.get(article.section, article.section),
             "item": page.url(f"/valley-post/topics/{article.section}")},
        ],
    }
    ld = (f'<script type="application/ld+json">{_json_ld(data)}</script>\n'
          f'<script type="application/ld+json">{_json_ld(crumbs)}</script>\n')
    top, bottom = _valley_chrome(page, f"{article.title} - The Valley Post", url, ld)
    comments = "".join(_valley_comment(c, children) for c in children.get(None, []))
    trending = "".join(
        f'<li><a href="{page.url(tracked(a.path, 1, "trending"))}">{escape(a.title)}</a></li>'
        for a in page.articles if a.path != article.path
    )
    return f"""{top}
<div class="vp-page"><main class="vp-main">
<div class="vp-story">
<h1 class="vp-story__title">{escape(article.title)}</h1>
<div class="vp-story__meta">By {escape(' and '.join(article.authors))} | {article.published:%B} {article.published.day}, {article.published.year}</div>
<img class="vp-story__image" src="{article.image}" alt="">
<div class="vp-story__text">
{_paragraphs(article)}
</div>
<div class="vp-tags">Filed under: {' '.join(f'<a href="{page.url("/valley-post/search?q=" + slugify(t))}">{escape(t)}</a>' for t in article.tags)}</div>
</div>
<section class="vp-comments" id="comments"><h3>Join the conversation ({len(article.comments)})</h3>
<ul class="vp-thread">{comments}</ul>
</section>
</main>
<aside class="vp-rail"><h4>Trending</h4><ul>{trending}</ul><div class="vp-ad">Sponsored: Valley Motors spring sale</div></aside></div>
{bottom}"""


def jsonld_listing(page: Page, heading: str, articles: list[DemoArticle], canonical_path: str) -> str:
    top, bottom = _valley_chrome(page, f"{heading} - The Valley Post" if heading else "The Valley Post", page.url(canonical_path))
    items = "\n".join(
        f'<li class="vp-teaser"><a href="{page.url(tracked(a.path, i, "home"))}">{escape(a.title)}</a>'
        f'<span class="vp-teaser__date">{valley_datetime(a.published)}</span><p>{escape(a.summary())}</p></li>'
        for i, a in enumerate(articles)
    )
    return f"""{top}
<div class="vp-page"><main class="vp-main"><h1>{escape(heading or 'Latest news')}</h1>
<ul class="vp-teasers">{items or '<li>No stories found.</li>'}</ul></main></div>
{bottom}"""


# --- dispatch -----------------------------------------------------------------------------------

def article_page(article: DemoArticle, page: Page) -> str:
    markup = outlet_of(article.outlet).markup
    if markup == "microdata":
        return microdata_article(article, page)
    if markup == "jsonld":
        return jsonld_article(article, page)
    return wordpress_article(article, page)


def listing_page(outlet_name: str, page: Page, heading: str, articles: list[DemoArticle], canonical_path: str) -> str:
    outlet = outlet_of(outlet_name)
    if outlet.markup == "microdata":
        return microdata_listing(page, heading, articles, canonical_path)
    if outlet.markup == "jsonld":
        return jsonld_listing(page, heading, articles, canonical_path)
    return wordpress_listing(outlet, page, heading, articles, canonical_path)


def not_found_page(path: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Page not found</title></head>
<body><h1>404: page not found</h1><p>Nothing lives at {escape(path)}.</p><p><a href="/">Back to the front page</a></p></body></html>"""


def info_page(outlet_title: str, heading: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(heading)} | {escape(outlet_title)}</title></head>
<body><h1>{escape(heading)}</h1><p>{escape(outlet_title)} is a made-up outlet of the media monitor's demo site.</p></body></html>"""
