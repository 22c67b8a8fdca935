"""Which comment platform an article page embeds: embed scripts, config variables and container attributes."""
from __future__ import annotations

import functools
import re
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

from lxml.etree import XPath
from lxml.html import HtmlElement

from monitor.extract.comments.platforms.base import PlatformThread
from monitor.extract.comments.platforms.names import PLATFORM_NAMES
from monitor.extract.markers import MarkerSet
from monitor.extract.page import ParsedPage, elements

__all__ = ["PLATFORM_NAMES", "comments_expected", "detect_platform"]

# A page's scripts are hostile text: every pattern is bounded, and values are short tokens or URLs.
_VALUE = r"""\s*[:=]\s*["']([^"'\s<>]{1,300})["']"""
_MAX_COUNT = 10_000_000  # a count beyond this is not a comment count


_NOT_AFTER_NAME = r"(?<![\w$])"
# wpDiscuz's options, as JSON ("wc_post_id":33) or as a script assignment (wc_post_id = '33').
_WPDISCUZ_POST = _NOT_AFTER_NAME + r"""wc_post_id["']?\s*[:=]\s*["']?(\d{1,12})\b"""


@functools.cache
def _compiled(pattern: str) -> tuple[re.Pattern[str], re.Pattern[str] | None]:
    """The pattern, and when it opens with ``_NOT_AFTER_NAME`` the pattern without it: re tries a pattern that
    opens with a lookbehind at every position of the page, one that opens with a name only where the name is."""
    full = re.compile(pattern, re.S)
    return full, re.compile(pattern[len(_NOT_AFTER_NAME):], re.S) if pattern.startswith(_NOT_AFTER_NAME) else None


def _find(pattern: str, text: str) -> str | None:
    full, relaxed = _compiled(pattern)
    if relaxed is None:
        match = full.search(text)
    else:
        # Where the pattern matches the relaxed one does (it only drops a condition), so the first position at
        # which the relaxed one matches and the whole one matches too is where the search would have stopped;
        # match() at a position still sees the characters before it, for the lookbehind.
        match, start = None, 0
        while (candidate := relaxed.search(text, start)) is not None:
            match = full.match(text, candidate.start())
            if match is not None:
                break
            start = candidate.start() + 1
    return match.group(1) if match else None


@functools.cache
def _config_pattern(name: str) -> tuple[re.Pattern[str], tuple[str, ...]] | None:
    """``_config_value``'s pattern and the names each of its matches starts with (``a``, ``(?:a|b)``, ``a|b``,
    dots escaped); None for a name of another shape."""
    inner = name[3:-1] if name.startswith("(?:") and name.endswith(")") else name
    names = tuple(part.replace("\\.", ".") for part in inner.split("|"))
    if not all(re.fullmatch(r"[\w$.]+", n) and n.replace(".", "\\.") == part for n, part in zip(names, inner.split("|"))):
        return None
    return re.compile(rf"""{_NOT_AFTER_NAME}{name}{_VALUE}""", re.S), names


def _config_value(name: str, text: str) -> str | None:
    """``name: 'v'`` / ``name = "v"`` / ``this.page.name = 'v'`` in the page's scripts."""
    compiled = _config_pattern(name)
    if compiled is None:
        return _find(rf"""{_NOT_AFTER_NAME}{name}{_VALUE}""", text)
    pattern, names = compiled
    # re.search tried at each place one of the names starts, in order (str.find is much faster than re's scan for a
    # pattern that opens with a lookbehind or an alternation): the first match is the one re.search finds.
    start = 0
    while True:
        places = [at for at in (text.find(n, start) for n in names) if at >= 0]
        if not places:
            return None
        match = pattern.match(text, min(places))
        if match is not None:
            return match.group(1)
        start = min(places) + 1


def _first(values: list[str | None]) -> str | None:
    """The first value that is not blank, stripped and cut at 500 characters."""
    for value in values:
        text = (value or "").strip()
        if text:
            return text[:500]
    return None


def _attr(tree: HtmlElement, xpath: str) -> str | None:
    return _first([str(value) for value in tree.xpath(xpath)])


def _base(url: str | None, page_url: str) -> str | None:
    """An absolute base URL without a trailing slash; None unless http(s)."""
    if not url:
        return None
    absolute = urljoin(page_url, url.strip())
    return absolute.rstrip("/") if urlsplit(absolute).scheme in ("http", "https") else None


def _path(page_url: str) -> str:
    return urlsplit(page_url).path or "/"


def _disqus(page: ParsedPage) -> PlatformThread | None:
    html, tree = page.html, page.tree
    forum = (_config_value("disqus_shortname", html)
             or _find(r"//([A-Za-z0-9-]{1,64})\.disqus\.com/(?:embed|count)\.js", html))
    if forum is None and not tree.xpath("//*[@id='disqus_thread']"):
        return None
    identifier = (_config_value(r"(?:this\.page\.identifier|disqus_identifier)", html)
                  or _attr(tree, "//*[@id='disqus_thread']/@data-disqus-identifier"))
    url = _config_value(r"(?:this\.page\.url|disqus_url)", html) or page.url
    return PlatformThread("disqus", site=forum, thread=identifier, url=url)


_ISSO_SCRIPTS = XPath("//script[@data-isso or contains(@src, '/js/embed.min.js') or contains(@src, '/js/embed.dev.js')]")


def _isso(page: ParsedPage) -> PlatformThread | None:
    tree = page.tree
    scripts = elements(tree, _ISSO_SCRIPTS)  # one walk for both attributes
    src = _first([s.get("data-isso") for s in scripts if s.get("data-isso") is not None])
    script = _first([s.get("src") for s in scripts
                     if "/js/embed.min.js" in (s.get("src") or "") or "/js/embed.dev.js" in (s.get("src") or "")])
    if src is None and (script is None or not tree.xpath("//*[@id='isso-thread']")):
        return None
    api = _base(src, page.url) or _base(re.sub(r"/js/embed\.(?:min|dev)\.js.*$", "", script or ""), page.url)
    thread = _attr(tree, "//*[@id='isso-thread']/@data-isso-id") or _path(page.url)
    return PlatformThread("isso", api=api, thread=thread, url=page.url)


def _wordpress(page: ParsedPage) -> PlatformThread | None:
    tree, html = page.tree, page.html
    # The page's <link>s (found once per page), for the REST link and the shortlink.
    links = [(link.get("rel"), link.get("href")) for link in page.links]
    api = _first([href for rel, href in links if rel == "https://api.w.org/" and href is not None])
    # As ``"wpdiscuz" in html.lower()``, without lowering the page's text: no character outside ASCII lowers to
    # one of its letters but İ, to "i" and a combining dot, which no "s" follows.
    discuz = b"wpdiscuz" in page.utf8.lower()
    if api is None and not discuz:
        return None
    shortlink = _first([href for rel, href in links if rel == "shortlink" and href is not None]) or ""
    post = (_find(r"/wp/v2/posts/(\d{1,12})", html) or _find(r"[?&]p=(\d{1,12})\b", shortlink)
            or _find(r"\bpostid-(\d{1,12})\b", " ".join(tree.xpath("//body/@class")))
            or _find(_WPDISCUZ_POST, html) or _config_value("postId", html))
    if api is None:
        api = urljoin(page.url, "/wp-json/")
    return PlatformThread("wpdiscuz" if discuz else "wordpress", api=_base(api, page.url), thread=post, url=page.url)


def _discourse(page: ParsedPage) -> PlatformThread | None:
    html = page.html
    if "DiscourseEmbed" not in html:
        return None
    api = _config_value("discourseUrl", html)
    topic = _find(r"topicId\s*[:=]\s*['\"]?(\d{1,12})", html)
    embed_url = _config_value("discourseEmbedUrl", html) or page.url
    return PlatformThread("discourse", api=_base(api, page.url), thread=topic, url=embed_url)


def _remark42(page: ParsedPage) -> PlatformThread | None:
    html = page.html
    if "remark_config" not in html:
        return None
    config = _find(r"remark_config\s*=\s*\{(.{0,2000}?)\}", html) or ""
    return PlatformThread("remark42", api=_base(_config_value("host", config), page.url),
                          site=_config_value("site_id", config) or "remark",
                          thread=_config_value("url", config) or page.url, url=page.url)


def _commento(page: ParsedPage) -> PlatformThread | None:
    tree = page.tree
    script = _attr(tree, "//script[contains(@src, '/js/commento.js') or contains(@src, '/comentario.js')]/@src")
    element = tree.xpath("//comentario-comments")
    if script is None and not element:
        return None
    comentario = bool(element) or "comentario" in (script or "")
    if comentario:
        api = _attr(tree, "//comentario-comments/@data-api-url") or re.sub(r"/comentario\.js.*$", "/api", script or "")
        page_id = _attr(tree, "//comentario-comments/@page-id")
        return PlatformThread("comentario", api=_base(api, page.url), thread=page_id or _path(page.url), url=page.url)
    origin = re.sub(r"/js/commento\.js.*$", "", script or "")
    page_id = _attr(tree, "//script[contains(@src, '/js/commento.js')]/@data-page-id")
    api = "https://commento.io" if "cdn.commento.io" in origin else origin
    return PlatformThread("commento", api=_base(api, page.url), site=urlsplit(page.url).hostname,
                          thread=page_id or _path(page.url), url=page.url)


def _github(page: ParsedPage) -> PlatformThread | None:
    tree = page.tree
    giscus = _attr(tree, "//script[contains(@src, 'giscus.app/client.js')]/@data-repo")
    if giscus is not None:
        term = _attr(tree, "//script[contains(@src, 'giscus.app/client.js')]/@data-term")
        mapping = _attr(tree, "//script[contains(@src, 'giscus.app/client.js')]/@data-mapping") or "pathname"
        return PlatformThread("giscus", site=giscus, thread=term or _mapped(mapping, page), url=page.url)
    repo = _attr(tree, "//script[contains(@src, 'utteranc.es/client.js')]/@repo")
    if repo is None:
        return None
    term = _attr(tree, "//script[contains(@src, 'utteranc.es/client.js')]/@issue-term") or "pathname"
    number = _attr(tree, "//script[contains(@src, 'utteranc.es/client.js')]/@issue-number")
    return PlatformThread("utterances", site=repo, thread=number or _mapped(term, page), url=page.url)


def _mapped(mapping: str, page: ParsedPage) -> str:
    """giscus' and utterances' thread key: the page's path, URL or title, or the term itself."""
    if mapping == "pathname":  # as their client.js computes it: no leading slash, no file extension
        path = _path(page.url)
        return "index" if len(path) < 2 else re.sub(r"\.\w+$", "", path[1:])
    if mapping == "url":
        return page.url
    if mapping in ("title", "og:title"):
        title = page.meta.get("og:title", [""])[0] if mapping == "og:title" else (page.tree.findtext(".//title") or "")
        return title.strip()
    return mapping


def _coral(page: ParsedPage) -> PlatformThread | None:
    html = page.html
    if "createStreamEmbed" not in html:
        return None
    config = _find(r"createStreamEmbed\s*\(\s*\{(.{0,2000}?)\}\s*\)", html) or ""
    return PlatformThread("coral", api=_base(_config_value("rootURL", config), page.url),
                          thread=_config_value("storyID", config),
                          url=_config_value("storyURL", config) or page.url)


def _hyvor(page: ParsedPage) -> PlatformThread | None:
    """Hyvor Talk v3 (``<hyvor-talk-comments website-id page-id>`` and talk.hyvor.com/embed/embed.js) or v2
    (``HYVOR_TALK_WEBSITE = 123`` and ``HYVOR_TALK_CONFIG = {id: .., url: ..}`` with ``#hyvor-talk-view``)."""
    tree, html = page.tree, page.html
    element = tree.xpath("//hyvor-talk-comments")
    config = _find(r"HYVOR_TALK_CONFIG\s*=\s*\{(.{0,2000}?)\}", html) or ""
    v2 = _find(r"(?<![\w$])HYVOR_TALK_WEBSITE\s*=\s*[\"']?(\d{1,20})\b", html)
    script = "talk.hyvor.com/embed/embed.js" in html
    if not (element or v2 or config or script or tree.xpath("//*[@id='hyvor-talk-view']")):
        return None
    site = _attr(tree, "//hyvor-talk-comments/@website-id") or v2
    thread = (_attr(tree, "//hyvor-talk-comments/@page-id")
              or _find(r"""(?<![\w$])id\s*:\s*["']([^"'<>]{1,300})["']""", config)
              or _find(r"(?<![\w$])id\s*:\s*(\d{1,20})\b", config))
    if thread is None:
        # As Hyvor does when a page gives no id: the canonical URL, else the page's URL without its query
        # (the hyvor-talk-react README, github hyvor/hyvor-talk-react, on the embed's ``id``).
        canonical = _attr(tree, "//link[@rel='canonical']/@href")
        thread = urljoin(page.url, canonical) if canonical else urlsplit(page.url)._replace(
            query="", fragment="").geturl()
    return PlatformThread("hyvor", site=site, thread=thread, url=page.url)


def _talkyard(page: ParsedPage) -> PlatformThread | None:
    server = _config_value("talkyardServerUrl", page.html)
    if server is None:
        return None
    thread = _attr(page.tree, "//*[contains(@class, 'talkyard-comments')]/@data-discussion-id")
    return PlatformThread("talkyard", api=_base(server, page.url), thread=thread or _path(page.url), url=page.url)


def _viafoura(page: ParsedPage) -> PlatformThread | None:
    tree = page.tree
    if not (tree.xpath("//vf-conversations") or "viafoura.net" in page.html or "viafoura.co" in page.html):
        return None
    container = (_attr(tree, "//meta[@name='vf:container_id']/@content")
                 or _attr(tree, "//*[contains(@class, 'viafoura')]/@data-vf-container-id"))
    site = _attr(tree, "//meta[@name='vf:domain']/@content") or urlsplit(page.url).hostname
    return PlatformThread("viafoura", site=site, thread=container, url=page.url)


def _vuukle(page: ParsedPage) -> PlatformThread | None:
    if "VUUKLE_CONFIG" not in page.html:
        return None
    return PlatformThread("vuukle", site=_config_value("apiKey", page.html),
                          thread=_config_value("articleId", page.html), url=page.url)


def _openweb(page: ParsedPage) -> PlatformThread | None:
    tree, html = page.tree, page.html
    spot = _find(r"launcher\.spot\.im/spot/(sp_[A-Za-z0-9]{1,40})", html)
    if spot is None and not tree.xpath("//*[@data-spotim-module or @data-spot-id]"):
        return None
    spot = spot or _attr(tree, "//*[@data-spot-id]/@data-spot-id")
    post = _attr(tree, "//*[@data-spotim-module]/@data-post-id") or _attr(tree, "//*[@data-post-id]/@data-post-id")
    return PlatformThread("openweb", site=spot, thread=post, url=page.url)


# Hosted embeds first (their markup is unmistakable), the WordPress REST link last: a WordPress site that
# embeds Disqus serves its comments from Disqus.
_DETECTORS: tuple[tuple[str, tuple[str, ...], Callable[[ParsedPage], PlatformThread | None]], ...] = (
    ("disqus", ("disqus",), _disqus),
    ("isso", ("isso", "embed.min.js", "embed.dev.js"), _isso),
    ("coral", ("createStreamEmbed",), _coral),
    ("giscus", ("giscus.app", "utteranc.es"), _github),
    ("discourse", ("DiscourseEmbed",), _discourse),
    ("remark42", ("remark_config",), _remark42),
    ("commento", ("commento", "comentario"), _commento),
    ("hyvor", ("hyvor", "HYVOR_TALK"), _hyvor),
    ("talkyard", ("talkyardServerUrl",), _talkyard),
    ("viafoura", ("viafoura", "vf-conversations"), _viafoura),
    ("vuukle", ("VUUKLE_CONFIG",), _vuukle),
    ("openweb", ("spot.im", "spotim", "data-spot-id"), _openweb),
    ("wordpress", ("api.w.org", "wpdiscuz"), _wordpress),
)


_MARKERS = MarkerSet(marker for _, markers, _ in _DETECTORS for marker in markers)


def detect_platform(page: ParsedPage, *, only: str | None = None) -> PlatformThread | None:
    """The comment platform the page embeds, with its site id, thread key and promised count; None if none.

    ``only``: look for that platform alone (a source that forces one).
    """
    present = _MARKERS.found_in(page.utf8)
    for _, markers, detector in _DETECTORS:
        if present.isdisjoint(markers):
            continue
        found = detector(page)
        if found is not None and (only is None or found.platform == only):
            expected = comments_expected(page)
            return found if expected is None else PlatformThread(
                found.platform, site=found.site, thread=found.thread, api=found.api, url=found.url, expected=expected)
    return None


_COUNT_ELEMENTS = XPath("//*[contains(@class, 'comment-count') or contains(@class, 'comments-count')"
                        " or @data-comment-count or @data-comments-count]")


def comments_expected(page: ParsedPage) -> int | None:
    """The comment count the page promises: JSON-LD ``commentCount`` or its comment interaction statistic,
    microdata ``commentCount``, or a comment-count element's number."""
    for node in page.jsonld:
        count = _count(node.get("commentCount"))
        if count is None:
            stats = node.get("interactionStatistic")
            for stat in stats if isinstance(stats, list) else [stats]:
                if isinstance(stat, dict) and "Comment" in str(stat.get("interactionType")):
                    count = _count(stat.get("userInteractionCount"))
        if count is not None:
            return count
    for value in page.meta.get("commentcount", []):
        count = _count(value)
        if count is not None:
            return count
    if "comment-count" not in page.html and "comments-count" not in page.html:  # what the XPath tests: no walk
        return None
    for element in elements(page.tree, _COUNT_ELEMENTS)[:5]:
        count = _count(element.get("data-comment-count") or element.get("data-comments-count")
                       or _find(r"(\d{1,9})", element.text_content()[:200]))
        if count is not None:
            return count
    return None


def _count(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    else:
        return None
    return number if 0 <= number <= _MAX_COUNT else None
