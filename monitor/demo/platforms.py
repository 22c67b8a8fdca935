"""Test-site articles that embed comment platforms, and local stand-ins answering as those platforms' read APIs do."""
from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["DISQUS_KEY", "PlatformArticle", "PlatformSite", "StandInComment", "serve_platform_site"]

DISQUS_KEY = "lab-disqus-public-key-4b1d"  # the stand-in's one valid api_key
DISQUS_FORUM = "labforum"
VIAFOURA_DOMAIN = "lab.example"  # the site's domain at Viafoura, as the page's meta vf:domain names it
VIAFOURA_SECTION = "00000000-0000-4000-8000-00000000a11a"
VUUKLE_KEY = "0000aaaa-1111-bbbb-2222-cccc3333dddd"  # the site's public apiKey, as VUUKLE_CONFIG names it
TALKYARD_FORUM_TOPIC = "forum-topic-12"  # a discussion id that names a Talkyard forum topic: 403
EPOCH = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class StandInComment:
    """One comment a stand-in serves: ``parent`` is the index of its parent in the thread, None at top level."""

    author: str
    text: str
    parent: int | None = None
    likes: int = 0
    deleted: bool = False


@dataclass
class PlatformArticle:
    """An article page of the platform site; ``thread`` is what a stand-in platform serves for it."""

    slug: str
    platform: str
    title: str
    paragraphs: tuple[str, ...]
    thread: tuple[StandInComment, ...] = ()
    promised: int | None = None  # the count the page shows (JSON-LD commentCount)
    key: str = ""  # the thread key on the platform (Disqus identifier, WordPress post id)

    @property
    def path(self) -> str:
        return f"/articles/{self.slug}/"

    def as_readers_see_it(self) -> list[tuple[str, str, str | None]]:
        """(author, text, the parent's author) of each comment the platform shows: deleted comments gone and
        their replies at the top; on GitHub Discussions (two levels) a reply to a reply answers the top comment."""
        def root(i: int) -> int:
            parent = self.thread[i].parent
            return i if parent is None else root(parent)

        shown = []
        for i, c in enumerate(self.thread):
            if c.deleted:
                continue
            parent = root(i) if self.platform == "giscus" and c.parent is not None else c.parent
            visible = parent is not None and not self.thread[parent].deleted
            shown.append((c.author, c.text, self.thread[parent].author if visible and parent is not None else None))
        return shown


def _thread(n: int, *, deleted: int | None = None) -> tuple[StandInComment, ...]:
    """``n`` comments, every third a reply to the one before it, replies to replies too."""
    comments = []
    for i in range(n):
        parent = i - 1 if i % 3 == 2 else (i - 2 if i % 3 == 1 and i >= 2 else None)
        comments.append(StandInComment(author=f"Reader {i + 1}", text=f"Comment {i + 1} on the flood barrier vote.",
                                       parent=parent, likes=i % 4, deleted=i == deleted))
    return tuple(comments)


def default_articles() -> list[PlatformArticle]:
    body = ("The council voted on the new flood barrier on Monday evening after a long debate.",
            "Residents of the river quarter had asked for the barrier since the spring floods of last year.")
    return [
        PlatformArticle("isso-barrier-vote", "isso", "Isso readers discuss the barrier vote", body),
        PlatformArticle("disqus-barrier-vote", "disqus", "Disqus readers discuss the barrier vote", body,
                        thread=_thread(7, deleted=4), promised=7, key="barrier-vote-7"),
        PlatformArticle("disqus-quiet-corner", "disqus", "A quiet corner of the river quarter", body,
                        key="quiet-corner", promised=0),
        PlatformArticle("wordpress-barrier-vote", "wordpress", "WordPress readers discuss the barrier vote", body,
                        thread=_thread(5), promised=5, key="42"),
        PlatformArticle("remark42-barrier-vote", "remark42", "Remark42 readers discuss the barrier vote", body,
                        thread=_thread(5, deleted=1)),
        PlatformArticle("commento-barrier-vote", "commento", "Commento readers discuss the barrier vote", body,
                        thread=_thread(4, deleted=0)),
        PlatformArticle("comentario-barrier-vote", "comentario", "Comentario readers discuss the barrier vote", body,
                        thread=_thread(6, deleted=1)),
        PlatformArticle("discourse-barrier-vote", "discourse", "Discourse readers discuss the barrier vote", body,
                        thread=_thread(25, deleted=6), key="77"),
        PlatformArticle("coral-barrier-vote", "coral", "Coral readers discuss the barrier vote", body,
                        thread=_thread(8, deleted=2), key="story-42"),
        PlatformArticle("js-built-thread", "js", "Readers discuss the barrier vote in a script-built thread", body,
                        thread=_thread(11)),
        PlatformArticle("giscus-barrier-vote", "giscus", "GitHub Discussions readers discuss the barrier vote", body,
                        thread=_thread(8)),
        PlatformArticle("viafoura-barrier-vote", "viafoura", "Viafoura readers discuss the barrier vote", body,
                        thread=_thread(12, deleted=3), promised=12, key="barrier-vote-12"),
        PlatformArticle("viafoura-quiet-corner", "viafoura", "A quiet corner, on Viafoura", body,
                        key="quiet-corner-vf", promised=0),
        PlatformArticle("talkyard-barrier-vote", "talkyard", "Talkyard readers discuss the barrier vote", body,
                        thread=_thread(9, deleted=4), promised=8, key="barrier-vote-ty"),
        PlatformArticle("talkyard-quiet-corner", "talkyard", "A quiet corner, on Talkyard", body, promised=0),
        PlatformArticle("vuukle-barrier-vote", "vuukle", "Vuukle readers discuss the barrier vote", body,
                        thread=_thread(13, deleted=5), promised=13, key="881"),
        PlatformArticle("vuukle-quiet-corner", "vuukle", "A quiet corner, on Vuukle", body, key="882", promised=0),
        PlatformArticle("utterances-barrier-vote", "utterances", "GitHub readers discuss the barrier vote", body,
                        thread=tuple(StandInComment(author=f"dev{i}", text=f"Issue comment {i} on the barrier.")
                                     for i in range(5)), key="9"),
    ]


@dataclass
class PlatformSite:
    """The pages and stand-in APIs, in memory; ``isso`` is the base URL of a real Isso server the pages embed."""

    isso: str = ""
    articles: list[PlatformArticle] = field(default_factory=default_articles)
    base_url: str = ""
    requests: Counter[str] = field(default_factory=Counter)
    # thread keys the Disqus stand-in answers 429 for: the hourly limit of the key reached
    rate_limited: set[str] = field(default_factory=set)
    # API paths answered with an ETag, and 304 to a request that sends it back (as any HTTP server may)
    etag_paths: set[str] = field(default_factory=lambda: {"/remark42/api/v1/find"})
    not_modified: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def by_slug(self, slug: str) -> PlatformArticle | None:
        return next((a for a in self.articles if a.slug == slug), None)

    def of(self, platform: str) -> PlatformArticle:
        return next(a for a in self.articles if a.platform == platform)

    def handle(self, path: str, query: dict[str, list[str]],
               body: bytes = b"") -> tuple[int, str, bytes, dict[str, str]]:
        with self._lock:
            self.requests[path] += 1
        if path == "/robots.txt":
            return 200, "text/plain", b"User-agent: *\nAllow: /\n", {}
        if path == "/feed.xml":
            return 200, "application/rss+xml; charset=utf-8", self.feed().encode(), {}
        if path == "/js-feed.xml":
            return 200, "application/rss+xml; charset=utf-8", self.feed(platform="js").encode(), {}
        if path == "/js-comments.json":
            return self.js_comments(query)
        match = re.fullmatch(r"/articles/([a-z0-9-]+)/", path)
        if match and (article := self.by_slug(match.group(1))) is not None:
            return 200, "text/html; charset=utf-8", self.page(article).encode(), {}
        if path == "/disqus/api/3.0/threads/listPosts.json":
            return self.disqus_posts(query)
        if path == "/wp-json/wp/v2/comments":
            return self.wordpress_comments(query)
        if path == "/remark42/api/v1/find":
            return self.remark42_find(query)
        if path == "/commento/api/comment/list":
            return self.commento_list(body)
        if path == "/comentario/api/embed/comments":
            return self.comentario_list(body)
        match = re.fullmatch(r"/discourse/t/(\d+)(\.json|/posts\.json)", path)
        if match:
            return self.discourse_topic(match.group(1), query, whole=match.group(2) == ".json")
        match = re.fullmatch(r"/viafoura/v2/([a-z0-9.-]+)/bootstrap/v2", path)
        if match:
            return self.viafoura_bootstrap(match.group(1))
        match = re.fullmatch(r"/viafoura/v4/livecomments/([0-9a-f-]{36})/([0-9a-z-]+)/(id|comments)(?:/([0-9a-f-]{36}))?",
                             path)
        if match:
            return self.viafoura_livecomments(match.group(1), match.group(2), match.group(4), query, path)
        if path == "/talkyard/-/embedded-comments":
            return self.talkyard_embedded_comments(query)
        if path == "/vuukle/api/v1/Comments/getCommentFeedBySort":
            return self.vuukle_feed(query)
        if path == "/coral/api/graphql":
            return self.coral_graphql(body)
        if path == "/github/graphql":
            return self.github_graphql(body)
        if path == "/github/search/issues":
            return self.github_search(query)
        match = re.fullmatch(r"/github/repos/newsorg/comments/issues/(\d+)/comments", path)
        if match:
            return self.github_comments(match.group(1), query)
        return 404, "text/html", b"<h1>not found</h1>", {}

    # --- pages ------------------------------------------------------------------------------------

    def feed(self, *, platform: str | None = None) -> str:
        """The feed of the platform articles (``platform``: of that one alone; the script-built thread is not in
        the main feed, so crawls of the platforms never render)."""
        items = "".join(
            f"<item><title>{escape(a.title)}</title><link>{self.base_url}{a.path}</link>"
            f"<pubDate>{(EPOCH + timedelta(hours=i)).strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate></item>"
            for i, a in enumerate(self.articles) if (a.platform == platform if platform else a.platform != "js"))
        return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Platform lab</title>'
                f"<link>{self.base_url}/</link>{items}</channel></rss>")

    def page(self, article: PlatformArticle) -> str:
        ld: dict[str, Any] = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": article.title,
                              "datePublished": (EPOCH + timedelta(hours=self.articles.index(article))).isoformat(),
                              "author": {"@type": "Person", "name": "Lab Robot"}}
        if article.promised is not None:
            ld["commentCount"] = article.promised
        paragraphs = "".join(f"<p>{escape(p)}</p>" for p in article.paragraphs)
        return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(article.title)}</title>
{self.head(article)}
<script type="application/ld+json">{json.dumps(ld)}</script></head>
<body><article><h1>{escape(article.title)}</h1>{paragraphs}</article>
{self.embed(article)}
</body></html>"""

    def head(self, article: PlatformArticle) -> str:
        if article.platform == "wordpress":
            return (f'<link rel="https://api.w.org/" href="{self.base_url}/wp-json/">'
                    f'<link rel="alternate" type="application/json" href="{self.base_url}/wp-json/wp/v2/posts/{article.key}">')
        return ""

    def embed(self, article: PlatformArticle) -> str:
        """The platform's embed code, as its install guide gives it (the crawler never runs it)."""
        if article.platform == "isso":
            return (f'<script data-isso="{self.isso}/" src="{self.isso}/js/embed.min.js"></script>'
                    f'<section id="isso-thread" data-title="{escape(article.title)}"></section>')
        if article.platform == "disqus":
            return (f"""<div id="disqus_thread"></div><script>
var disqus_config = function () {{ this.page.url = '{self.base_url}{article.path}'; this.page.identifier = '{article.key}'; }};
(function() {{ var d = document, s = d.createElement('script'); s.src = 'https://{DISQUS_FORUM}.disqus.com/embed.js';
s.setAttribute('data-timestamp', +new Date()); (d.head || d.body).appendChild(s); }})();
</script>""")
        if article.platform == "wordpress":
            return '<div id="comments" class="comments-area"><h2 class="comments-title">Comments</h2></div>'
        if article.platform == "remark42":
            return (f"<script>var remark_config = {{ host: '{self.base_url}/remark42', site_id: 'harbor', "
                    f"components: ['embed'] }};</script><div id=\"remark42\"></div>")
        if article.platform == "commento":
            return f'<script defer src="{self.base_url}/commento/js/commento.js"></script><div id="commento"></div>'
        if article.platform == "comentario":
            return (f'<script defer src="{self.base_url}/comentario/comentario.js"></script>'
                    "<comentario-comments></comentario-comments>")
        if article.platform == "discourse":
            return (f"<div id=\"discourse-comments\"></div><script>DiscourseEmbed = {{ discourseUrl: "
                    f"'{self.base_url}/discourse/', topicId: {article.key} }};</script>")
        if article.platform == "js":
            return _JS_THREAD
        if article.platform == "viafoura":
            return (f'<meta name="vf:container_id" content="{article.key}"><meta name="vf:domain" content="{VIAFOURA_DOMAIN}">'
                    '<script async src="https://cdn.viafoura.net/entry/index.js"></script>'
                    '<div class="viafoura"><vf-conversations></vf-conversations></div>')
        if article.platform == "talkyard":
            discussion = f' data-discussion-id="{escape(article.key)}"' if article.key else ""
            return (f"<script>talkyardServerUrl='{self.base_url}/talkyard';</script>"
                    f'<script async defer src="{self.base_url}/talkyard/-/talkyard-comments.min.js"></script>'
                    f'<div class="talkyard-comments"{discussion}></div>')
        if article.platform == "vuukle":
            return ('<div id="vuukle-comments"></div><script>var VUUKLE_CONFIG = { apiKey: "' + VUUKLE_KEY
                    + f'", articleId: "{article.key}", comments: {{ enabled: true }} }};</script>'
                    '<script src="https://cdn.vuukle.com/platform.js" async></script>')
        if article.platform == "coral":
            return (f'<div id="coral_thread"></div><script>Coral.createStreamEmbed({{ id: "coral_thread", '
                    f"autoRender: true, rootURL: '{self.base_url}/coral', storyID: '{article.key}' }});</script>")
        if article.platform == "giscus":
            return ('<script src="https://giscus.app/client.js" data-repo="newsorg/discussions" data-repo-id="R_kgDO" '
                    'data-category="Announcements" data-mapping="pathname" crossorigin="anonymous" async></script>')
        if article.platform == "utterances":
            return ('<script src="https://utteranc.es/client.js" repo="newsorg/comments" issue-term="pathname" '
                    'theme="github-light" crossorigin="anonymous" async></script>')
        return ""

    # --- Disqus: threads/listPosts (https://disqus.com/api/docs/threads/listPosts/) ------------------

    def disqus_posts(self, query: dict[str, list[str]]) -> tuple[int, str, bytes, dict[str, str]]:
        one = {k: v[0] for k, v in query.items()}
        if one.get("api_key") != DISQUS_KEY:
            return _json(403, {"code": 5, "response": "Invalid API key"})
        ident = one.get("thread:ident", "")
        if ident in self.rate_limited:
            return _json(429, {"code": 13, "response": "You have exceeded your hourly limit of requests"})
        article = next((a for a in self.articles if a.platform == "disqus" and a.key == ident), None)
        if article is None or one.get("forum") != DISQUS_FORUM:
            return _json(400, {"code": 2, "response": "Invalid argument, 'thread': Unable to find thread"})
        limit = min(int(one.get("limit", "25")), 100)
        start = int(one.get("cursor", "0:0:0").split(":")[0] or 0)
        chunk = list(enumerate(article.thread))[start:start + limit]
        more = start + limit < len(article.thread)
        posts = [{
            "id": str(1000 + i), "parent": None if c.parent is None else 1000 + c.parent,
            "message": "" if c.deleted else f"<p>{escape(c.text)}</p>", "raw_message": "" if c.deleted else c.text,
            "createdAt": (EPOCH + timedelta(minutes=10 * i)).strftime("%Y-%m-%dT%H:%M:%S"),
            "author": {"name": c.author, "username": c.author.lower().replace(" ", "_"), "isAnonymous": False},
            "likes": c.likes, "dislikes": 0, "isDeleted": c.deleted, "isApproved": True, "thread": "77",
            "forum": DISQUS_FORUM,
        } for i, c in chunk]
        cursor = {"prev": None, "hasNext": more, "next": f"{start + limit}:0:0", "hasPrev": start > 0,
                  "total": None, "id": f"{start}:0:0", "more": more}
        return _json(200, {"cursor": cursor, "code": 0, "response": posts})

    # --- WordPress: GET /wp/v2/comments (https://developer.wordpress.org/rest-api/reference/comments/) ---

    def wordpress_comments(self, query: dict[str, list[str]]) -> tuple[int, str, bytes, dict[str, str]]:
        one = {k: v[0] for k, v in query.items()}
        article = next((a for a in self.articles if a.platform == "wordpress" and a.key == one.get("post")), None)
        thread = article.thread if article is not None else ()
        per_page = min(int(one.get("per_page", "10")), 100)
        page = int(one.get("page", "1"))
        pages = max(1, -(-len(thread) // per_page))
        if page > pages:
            return _json(400, {"code": "rest_post_invalid_page_number",
                               "message": "The page number requested is larger than the number of pages available.",
                               "data": {"status": 400}})
        chunk = list(enumerate(thread))[(page - 1) * per_page:page * per_page]
        body = [{
            "id": 500 + i, "post": int(one.get("post") or 0), "parent": 0 if c.parent is None else 500 + c.parent,
            "author": 0, "author_name": c.author, "author_url": "",
            "date": (EPOCH + timedelta(minutes=10 * i, hours=2)).strftime("%Y-%m-%dT%H:%M:%S"),
            "date_gmt": (EPOCH + timedelta(minutes=10 * i)).strftime("%Y-%m-%dT%H:%M:%S"),
            "content": {"rendered": f"<p>{escape(c.text)}</p>\n"}, "link": f"{self.base_url}/?p=42#comment-{500 + i}",
            "status": "approved", "type": "comment",
        } for i, c in chunk]
        return _json(200, body, {"X-WP-Total": str(len(thread)), "X-WP-TotalPages": str(pages)})


    # --- the script-built thread: the page's own JSON, four top-level comments (with their replies) a page ---

    def js_comments(self, query: dict[str, list[str]]) -> tuple[int, str, bytes, dict[str, str]]:
        article = self.of("js")
        page = int(query.get("page", ["1"])[0])
        tops = [i for i, c in enumerate(article.thread) if c.parent is None]
        chosen = set(tops[(page - 1) * JS_PAGE_SIZE:page * JS_PAGE_SIZE])

        def root(i: int) -> int:
            parent = article.thread[i].parent
            return i if parent is None else root(parent)

        items = [{"id": i, "parent": c.parent, "author": c.author, "text": c.text,
                  "date": (EPOCH + timedelta(minutes=i)).isoformat()}
                 for i, c in enumerate(article.thread) if root(i) in chosen]
        return _json(200, {"comments": items, "more": page * JS_PAGE_SIZE < len(tops)})

    # --- Remark42: GET /api/v1/find (remark42 README "Public API", backend/app/store/comment.go) -------------

    def remark42_find(self, query: dict[str, list[str]]) -> tuple[int, str, bytes, dict[str, str]]:
        one = {k: v[0] for k, v in query.items()}
        article = self.of("remark42")
        if one.get("site") != "harbor" or one.get("url") != self.base_url + article.path:
            return _json(200, {"comments": [], "info": {"url": one.get("url"), "count": 0}})
        items = [{
            "id": f"r42-{i:04d}", "pid": "" if c.parent is None else f"r42-{c.parent:04d}",
            "text": "" if c.deleted else f"<p>{escape(c.text)}</p>\n", "orig": "" if c.deleted else c.text,
            "user": {"name": c.author, "id": f"anonymous_{i}", "picture": ""},
            "locator": {"site": "harbor", "url": one["url"]}, "score": c.likes, "votes": {}, "vote": 0,
            "time": (EPOCH + timedelta(minutes=5 * i)).strftime("%Y-%m-%dT%H:%M:%S.000000000Z"),
            "delete": c.deleted, "title": article.title,
        } for i, c in enumerate(article.thread)]
        return _json(200, {"comments": items, "info": {"url": one["url"], "count": len(items)}})

    # --- Commento: POST /api/comment/list (commento api/comment_list.go, api/comment.go) --------------------

    def commento_list(self, body: bytes) -> tuple[int, str, bytes, dict[str, str]]:
        asked = json.loads(body or b"{}")
        article = self.of("commento")
        if asked.get("path") != article.path:
            return _json(200, {"success": True, "comments": [], "commenters": {}, "requireIdentification": False})
        items = [{
            "commentHex": f"{i:064x}", "commenterHex": f"c{i:063x}",
            "parentHex": "root" if c.parent is None else f"{c.parent:064x}",
            "markdown": "[deleted]" if c.deleted else c.text, "html": "[deleted]" if c.deleted else f"<p>{escape(c.text)}</p>",
            "score": c.likes, "state": "approved", "direction": 0, "deleted": c.deleted,
            "creationDate": (EPOCH + timedelta(minutes=3 * i)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        } for i, c in enumerate(article.thread)]
        people = {f"c{i:063x}": {"commenterHex": f"c{i:063x}", "name": c.author, "provider": "anon"}
                  for i, c in enumerate(article.thread)}
        return _json(200, {"success": True, "comments": items, "commenters": people, "requireIdentification": False,
                           "isModerator": False, "isFrozen": False, "attributes": {}})

    # --- Comentario: POST /api/embed/comments (comentario resources/swagger/swagger.yml, EmbedCommentList) ---

    def comentario_list(self, body: bytes) -> tuple[int, str, bytes, dict[str, str]]:
        asked = json.loads(body or b"{}")
        article = self.of("comentario")
        if asked.get("path") != article.path or asked.get("host") != urlsplit(self.base_url).netloc:
            return _json(200, {"pageInfo": {"isDomainReadonly": False}, "comments": [], "commenters": []})
        uid = "00000000-0000-4000-8000-{:012d}".format
        items = [{
            "id": uid(100 + i), "parentId": None if c.parent is None else uid(100 + c.parent), "pageId": uid(1),
            "markdown": "" if c.deleted else c.text, "html": "" if c.deleted else f"<p>{escape(c.text)}</p>",
            "score": c.likes, "isSticky": False, "isApproved": True, "isPending": False, "isDeleted": c.deleted,
            "createdTime": (EPOCH + timedelta(minutes=6 * i)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "userCreated": uid(500 + i) if i % 2 else None, "authorName": None if i % 2 else c.author,
        } for i, c in enumerate(article.thread)]
        people = [{"id": uid(500 + i), "name": c.author, "hasAvatar": False} for i, c in enumerate(article.thread)
                  if i % 2]
        return _json(200, {"pageInfo": {"isDomainReadonly": False}, "comments": items, "commenters": people})

    # --- Discourse: GET /t/{id}.json and /t/{id}/posts.json (docs.discourse.org, Topics and Posts) -----------

    def discourse_topic(self, topic: str, query: dict[str, list[str]],
                        *, whole: bool) -> tuple[int, str, bytes, dict[str, str]]:
        article = self.of("discourse")
        if topic != article.key:
            return _json(404, {"errors": ["The requested URL or resource could not be found."], "error_type": "not_found"})
        # Post 1 is the article the embed imported; comment i is post i + 2.
        posts = [{"id": 9000, "post_number": 1, "username": "system", "name": "system",
                  "cooked": f"<p>{escape(article.paragraphs[0])}</p>", "created_at": EPOCH.isoformat().replace("+00:00", "Z"),
                  "reply_to_post_number": None, "actions_summary": []}]
        posts += [{
            "id": 9001 + i, "post_number": i + 2, "username": c.author.lower().replace(" ", ""), "name": c.author,
            "cooked": "" if c.deleted else f"<p>{escape(c.text)}</p>",
            "created_at": (EPOCH + timedelta(minutes=2 * i)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "reply_to_post_number": None if c.parent is None else c.parent + 2,
            "deleted_at": (EPOCH + timedelta(days=1)).isoformat() if c.deleted else None,
            "actions_summary": [{"id": 2, "count": c.likes}] if c.likes else [],
        } for i, c in enumerate(article.thread)]
        if whole:
            return _json(200, {"id": int(topic), "title": article.title, "posts_count": len(posts),
                               "post_stream": {"posts": posts[:20], "stream": [p["id"] for p in posts]}})
        wanted = {int(i) for i in query.get("post_ids[]", [])}
        return _json(200, {"id": int(topic), "post_stream": {"posts": [p for p in posts if p["id"] in wanted]}})

    # --- Coral: POST /api/graphql (coral server/src/core/server/graph/schema/schema.graphql) ----------------
    # A stand-in cannot run GraphQL: it answers the two queries the client sends by their variables.

    def coral_graphql(self, body: bytes) -> tuple[int, str, bytes, dict[str, str]]:
        asked = json.loads(body or b"{}")
        query, variables = str(asked.get("query", "")), asked.get("variables") or {}
        article = self.of("coral")
        thread = article.thread

        def node(i: int) -> dict[str, Any]:
            c = thread[i]
            return {"id": f"coral-{i}", "body": None if c.deleted else f"<p>{escape(c.text)}</p>",
                    "createdAt": (EPOCH + timedelta(minutes=4 * i)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                    "deleted": c.deleted or None, "author": None if c.deleted else {"username": c.author},
                    "parent": None if c.parent is None else {"id": f"coral-{c.parent}"},
                    "replyCount": sum(1 for r in thread if r.parent == i),
                    "actionCounts": {"reaction": {"total": c.likes}}}

        def page(members: list[int]) -> dict[str, Any]:
            first, start = int(variables.get("first") or 10), int(variables.get("after") or 0)
            chosen = members[start:start + first]
            more = start + first < len(members)
            return {"nodes": [node(i) for i in chosen],
                    "pageInfo": {"hasNextPage": more, "endCursor": str(start + first) if more else None}}

        if "story(" in query:
            if variables.get("story") != article.key:
                return _json(200, {"data": {"story": None}})
            top = [i for i, c in enumerate(thread) if c.parent is None]
            return _json(200, {"data": {"story": {"id": article.key, "comments": page(top)}}})
        if "comment(" in query:
            parent = int(str(variables.get("comment", "coral--1")).removeprefix("coral-"))
            children = [i for i, c in enumerate(thread) if c.parent == parent]
            return _json(200, {"data": {"comment": {"id": f"coral-{parent}", "replies": page(children)}}})
        return _json(400, {"errors": [{"message": "Cannot query this field", "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"}}]})

    # --- Viafoura: bootstrap, container, comments, a thread's replies (public code reading the v4 API) ------------

    def viafoura_bootstrap(self, domain: str) -> tuple[int, str, bytes, dict[str, str]]:
        if domain != VIAFOURA_DOMAIN:
            return 404, "text/plain", b"io.vertx.core.VertxException: site not found", {}
        return _json(200, {"result": {"settings": {"site_uuid": VIAFOURA_SECTION}, "sectionTree": {"uuid": VIAFOURA_SECTION}}})

    def viafoura_livecomments(self, section: str, container: str, thread: str | None, query: dict[str, list[str]],
                              path: str) -> tuple[int, str, bytes, dict[str, str]]:
        one = {k: v[0] for k, v in query.items()}
        uid = "00000000-0000-7000-8000-{:012d}".format
        # Each Viafoura article's container uuid: 9990, 9991, …
        holders = {uid(9990 + n): a for n, a in enumerate(a for a in self.articles if a.platform == "viafoura")}
        if section != VIAFOURA_SECTION:
            return 404, "text/plain", b"io.vertx.core.VertxException: section not found", {}
        if container == "contentcontainer":
            found = next(((h, a) for h, a in holders.items() if a.key == one.get("container_id")), None)
            if not path.endswith("/contentcontainer/id") or found is None:
                return 404, "text/plain", b"not found", {}
            holder, article = found
            return _json(200, {"container_id": article.key, "content_container_uuid": holder,
                               "total_visible_content": sum(1 for c in article.thread if not c.deleted)})
        if container not in holders:
            return 404, "text/plain", b"not found", {}
        holder, article = container, holders[container]
        limit = int(one.get("limit", "10"))
        if limit > 100:
            return 400, "text/plain", b"limit exceeds maximum", {}
        thread_of = article.thread

        def root(i: int) -> int:
            parent = thread_of[i].parent
            return i if parent is None else root(parent)

        def node(i: int) -> dict[str, Any]:
            c = thread_of[i]
            return {"content_uuid": uid(i), "content_container_uuid": holder, "thread_uuid": uid(root(i)),
                    "parent_uuid": holder if c.parent is None else uid(c.parent), "content": f"<p>{escape(c.text)}</p>",
                    "date_created": int((EPOCH + timedelta(minutes=7 * i)).timestamp() * 1000),
                    "state": "deleted" if c.deleted else "visible",
                    "actor": {"name": c.author}, "actor_uuid": f"actor-{i}",
                    "total_likes": c.likes, "total_dislikes": 0,
                    "total_replies": sum(1 for r in range(len(thread_of)) if r != i and root(r) == i)}

        if thread is not None:  # the replies of one thread
            top = next((i for i in range(len(thread_of)) if uid(i) == thread), None)
            replies = [node(r) for r in range(len(thread_of)) if top is not None and r != top and root(r) == top]
            return _json(200, {"more_available": False, "contents": replies[:limit]})
        tops = [i for i, c in enumerate(thread_of) if c.parent is None][::-1]  # sorted_by=newest
        after = one.get("starting_from")
        start = next((n + 1 for n, i in enumerate(tops) if uid(i) == after), 0)  # an unknown cursor: page one
        chosen = tops[start:start + limit]
        reply_limit = int(one.get("reply_limit", "0"))
        contents = [{**node(i), "replies": {"contents": [node(r) for r in range(len(thread_of))
                                                         if r != i and root(r) == i][:reply_limit]}} for i in chosen]
        return _json(200, {"more_available": start + limit < len(tops), "contents": contents})

    # --- Talkyard: /-/embedded-comments, the page JSON in #thePageJson (debiki/talkyard, as in talkyard.py) -------

    def talkyard_embedded_comments(self, query: dict[str, list[str]]) -> tuple[int, str, bytes, dict[str, str]]:
        one = {k: v[0] for k, v in query.items()}
        discussion, embedding = one.get("discussionId"), one.get("embeddingUrl", "")
        if not embedding:
            return 400, "text/plain", b"400 Bad Request\nTyEPARAMMISSING embeddingUrl", {}
        if discussion in self.rate_limited:
            return 429, "text/plain", b"429 Too Many Requests\nTyETOOMANYREQS", {}
        if discussion == TALKYARD_FORUM_TOPIC:  # a discussion id that names a forum topic, not embedded comments
            return 403, "text/plain", b"403 Forbidden\nEdE2F6UHY3 Not an embedded comments page", {}
        # By discussion id when the embed gives one (and then never by URL), else by the embedding URL's path.
        article = next((a for a in self.articles if a.platform == "talkyard" and (
            a.key == discussion if discussion else not a.key and embedding.endswith(a.path))), None)
        thread = article.thread if article is not None else ()

        def has_reply(i: int) -> bool:
            return any(c.parent == i and (not c.deleted or has_reply(j)) for j, c in enumerate(thread))

        posts: dict[str, dict[str, Any]] = {"1": {"nr": 1, "isApproved": True, "childNrsSorted": [
            i + 2 for i, c in enumerate(thread) if c.parent is None],
            "sanitizedHtml": "(Embedded comments dummy root post [EdM2PWKV06]"}}
        for i, c in enumerate(thread):
            if c.deleted and not has_reply(i):
                continue  # Talkyard leaves out a deleted post nobody answered
            posts[str(i + 2)] = {
                "uniqueId": 5000 + i, "nr": i + 2, "parentNr": 1 if c.parent is None else c.parent + 2,
                "postType": 1, "authorId": 100 + i,
                "createdAtMs": int((EPOCH + timedelta(minutes=3 * i)).timestamp() * 1000),
                "numLikeVotes": c.likes, "numWrongVotes": 0, "isPostDeleted": c.deleted, "isTreeDeleted": False,
                "isApproved": True, "sanitizedHtml": None if c.deleted else f"<p>{escape(c.text)}</p>",
                "childNrsSorted": [j + 2 for j, r in enumerate(thread) if r.parent == i]}
        users = {str(100 + i): {"id": 100 + i, "username": c.author.lower().replace(" ", "_"), "fullName": c.author,
                                "isAuthenticated": True} for i, c in enumerate(thread)}
        page_id = "7" if article is not None and thread else "0"  # Talkyard's EmptyPageId: not created yet
        store = {"dbgSrc": "PgToJ", "isEmbedded": True, "currentPageId": page_id, "usersByIdBrief": users,
                 "pagesById": {page_id: {"pageId": page_id, "pageRole": 5, "numPosts": len(posts),
                                         "postsByNr": posts if thread else {},
                                         "parentlessReplyNrsSorted": posts["1"]["childNrsSorted"]}}}
        # As page.scala.html writes it: OWASP Encode.forHtmlContent escapes &, < and >.
        body = ('<!DOCTYPE html><html class="DW dw-pri"><head><title>Comments</title></head><body>'
                '<script id="theVolatileJson" type="application/json">{}</script>'
                f'<script id="thePageJson" type="application/json">{escape(json.dumps(store), quote=False)}</script>'
                '<div id="dwPosts"></div></body></html>')
        return 200, "text/html; charset=utf-8", body.encode(), {}

    # --- Vuukle: getCommentFeedBySort (public code that reads it, as listed in vuukle.py) --------------------------

    def vuukle_feed(self, query: dict[str, list[str]]) -> tuple[int, str, bytes, dict[str, str]]:
        one = {k: v[0] for k, v in query.items()}
        if one.get("apiKey") != VUUKLE_KEY:
            return _json(403, {"success": False, "errors": ["invalid_api_key"], "data": None})
        article = next((a for a in self.articles if a.platform == "vuukle" and a.key == one.get("articleId")), None)
        if article is not None and article.key in self.rate_limited:
            return _json(429, {"success": False, "errors": ["too_many_requests"], "data": None})
        thread = article.thread if article is not None else ()

        def node(i: int) -> dict[str, Any]:
            c = thread[i]
            return {"id": 74000 + i, "parentId": 0 if c.parent is None else 74000 + c.parent,
                    "name": escape(c.author).replace(" ", "%20"), "userId": f"u{i}", "authorType": 0,
                    "commentText": "[Comment deleted by user]" if c.deleted else f"<p>{escape(c.text)}</p>",
                    "createdTimestamp": int((EPOCH + timedelta(minutes=5 * i)).timestamp() * 1000),
                    "likeCount": c.likes, "dislikeCount": 0, "state": 1, "edited": False, "pictureUrl": "",
                    "replies": [node(j) for j, r in enumerate(thread) if r.parent == i][::-1]}

        size, offset = int(one.get("pageSize", "25")), int(one.get("start", "0"))
        tops = [i for i, c in enumerate(thread) if c.parent is None][::-1]  # get_latest: newest first
        items = [node(i) for i in tops[offset:offset + size]]
        return _json(200, {"success": True, "errors": [], "data": {"comments": {
            "items": items, "pageSize": size, "totalCount": len(thread)}}})

    # --- GitHub (utterances): search issues, list issue comments (docs.github.com REST) ---------------------

    def github_graphql(self, body: bytes) -> tuple[int, str, bytes, dict[str, str]]:
        """giscus' discussion: comments paged by ``first``/``after``, each with its replies (GitHub keeps two levels)."""
        asked = json.loads(body or b"{}")
        variables = asked.get("variables") or {}
        article = self.of("giscus")
        thread, term = article.thread, article.path[1:]
        if f'"{term}"' not in str(variables.get("q")) or "repo:newsorg/discussions" not in str(variables.get("q")):
            return _json(200, {"data": {"search": {"nodes": []}}})

        def root(i: int) -> int:
            parent = thread[i].parent
            return i if parent is None else root(parent)

        def node(i: int) -> dict[str, Any]:
            return {"id": f"DC_{i}", "author": {"login": thread[i].author}, "bodyHTML": f"<p>{escape(thread[i].text)}</p>",
                    "createdAt": (EPOCH + timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "upvoteCount": thread[i].likes, "isMinimized": False}

        tops = [i for i, c in enumerate(thread) if c.parent is None]
        first, start = int(variables.get("first") or 10), int(variables.get("after") or 0)
        chosen = tops[start:start + first]
        more = start + first < len(tops)
        nodes = [{**node(i), "replies": {"nodes": [node(r) for r in range(len(thread)) if r != i and root(r) == i]}}
                 for i in chosen]
        return _json(200, {"data": {"search": {"nodes": [{"id": "D_1", "title": term, "comments": {
            "pageInfo": {"hasNextPage": more, "endCursor": str(start + first) if more else None}, "nodes": nodes}}]}}})

    def github_search(self, query: dict[str, list[str]]) -> tuple[int, str, bytes, dict[str, str]]:
        article = self.of("utterances")
        term = article.path[1:]  # utterances' pathname term
        found = f'"{term}"' in query.get("q", [""])[0] and "repo:newsorg/comments" in query.get("q", [""])[0]
        items = [{"number": int(article.key), "title": term, "comments": len(article.thread), "state": "open"}] if found else []
        return _json(200, {"total_count": len(items), "incomplete_results": False, "items": items})

    def github_comments(self, number: str, query: dict[str, list[str]]) -> tuple[int, str, bytes, dict[str, str]]:
        article = self.of("utterances")
        if number != article.key:
            return _json(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
        per_page = min(int(query.get("per_page", ["30"])[0]), 100)
        page = int(query.get("page", ["1"])[0])
        chunk = list(enumerate(article.thread))[(page - 1) * per_page:page * per_page]
        items = [{"id": 700 + i, "user": {"login": c.author, "type": "User"}, "body": c.text,
                  "body_html": f"<p>{escape(c.text)}</p>",
                  "created_at": (EPOCH + timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                  "reactions": {"+1": c.likes, "total_count": c.likes}} for i, c in chunk]
        headers = {}
        if page * per_page < len(article.thread):
            base = f"{self.base_url}/github/repos/newsorg/comments/issues/{number}/comments"
            headers["Link"] = f'<{base}?per_page={per_page}&page={page + 1}>; rel="next"'
        return _json(200, items, headers)


JS_PAGE_SIZE = 2  # top-level comments per "load more"
# WordPress comment markup, built by the page's script from its JSON; a crawler that does not run it sees none.
_JS_THREAD = """<section id="comments"><ol class="comment-list"></ol>
<button type="button" id="more-comments" hidden>Load more comments</button></section>
<script>
(function () {
  var list = document.querySelector('#comments .comment-list'), more = document.getElementById('more-comments');
  var page = 0;
  function item(c) {
    var li = document.createElement('li');
    li.id = 'comment-' + c.id; li.className = 'comment';
    li.innerHTML = '<article class="comment-body"><footer class="comment-meta"><div class="comment-author">' +
      '<b class="fn"></b></div><time></time></footer><div class="comment-content"><p></p></div></article>';
    li.querySelector('.fn').textContent = c.author;
    li.querySelector('time').setAttribute('datetime', c.date);
    li.querySelector('time').textContent = c.date;
    li.querySelector('.comment-content p').textContent = c.text;
    return li;
  }
  function load() {
    page += 1;
    fetch('/js-comments.json?page=' + page).then(function (r) { return r.json(); }).then(function (data) {
      data.comments.forEach(function (c) {
        var li = item(c), parent = c.parent === null ? null : document.getElementById('comment-' + c.parent);
        if (parent) {
          var children = parent.querySelector(':scope > ol.children');
          if (!children) { children = document.createElement('ol'); children.className = 'children'; parent.appendChild(children); }
          children.appendChild(li);
        } else { list.appendChild(li); }
      });
      more.hidden = !data.more;
    });
  }
  more.addEventListener('click', load);
  load();
})();
</script>"""


def _json(status: int, data: Any, headers: dict[str, str] | None = None) -> tuple[int, str, bytes, dict[str, str]]:
    return status, "application/json; charset=UTF-8", json.dumps(data).encode(), headers or {}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 - the base class's name
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        asked = self.rfile.read(length) if length else b""
        site = self.server.site
        status, kind, body, headers = site.handle(parts.path, parse_qs(parts.query), asked)
        if status == 200 and self.command == "GET" and parts.path in site.etag_paths:
            etag = f'"{hashlib.sha1(body).hexdigest()}"'
            headers = {**headers, "ETag": etag}
            if self.headers.get("If-None-Match") == etag:
                with site._lock:
                    site.not_modified[parts.path] += 1
                status, body = 304, b""
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, site: PlatformSite) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.site = site


def serve_platform_site(site: PlatformSite) -> tuple[ThreadingHTTPServer, str]:
    """Serve ``site`` on 127.0.0.1 from a daemon thread; returns the server (``shutdown()`` it) and its base URL."""
    server = _Server(site)
    site.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, name="platform-site", daemon=True).start()
    return server, site.base_url
