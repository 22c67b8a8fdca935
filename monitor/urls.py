"""Canonical URLs and the stable document ids derived from them."""
from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that only track the visitor: dropped so one article has one id.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid",
        "_ga", "_gl", "ref", "ref_src", "ref_url", "cmpid", "ncid", "ocid", "icid",
        "at_medium", "at_campaign", "at_custom1", "at_custom2", "at_custom3", "at_custom4",
        "utm", "share", "from", "spm", "s_cid", "rss", "feed", "src",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "__")


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def canonicalize_url(url: str) -> str:
    """Lower-case scheme and host, drop default ports, fragments and tracking parameters, sort the rest."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        netloc = f"{host}:{port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking_param(k)]
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))


def lookup_forms(url: str) -> list[str]:
    """The forms an article may be indexed under when ``url`` is how someone met it, most likely first.

    ``url`` itself, without its anchor (a comment link), canonical; then the forms sites redirect between:
    with or without the trailing slash, http or https, with or without ``www.``.
    """
    bare = url.strip().split("#", 1)[0]
    forms = [url.strip(), bare, canonicalize_url(bare)]
    parts = urlsplit(canonicalize_url(bare))
    paths = {parts.path, parts.path[:-1] if parts.path.endswith("/") and parts.path != "/" else parts.path + "/"}
    host = parts.netloc
    hosts = {host, host[4:] if host.startswith("www.") else "www." + host}
    schemes = {parts.scheme, {"http": "https", "https": "http"}.get(parts.scheme, parts.scheme)}
    forms += sorted(urlunsplit((scheme, netloc, path, parts.query, "")) for scheme in schemes for netloc in hosts
                    for path in paths)
    return list(dict.fromkeys(form for form in forms if form))


def _digest(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:20]


def article_id(url: str) -> str:
    """The id of the article at ``url``: a hash of its canonical URL."""
    return _digest(canonicalize_url(url))


def comment_id(
    article_id_: str, *, native_id: str | None, author: str | None, text: str, occurrence: int = 0
) -> str:
    """The id of a comment: its site id when it has one, else its author and text.

    Position is left out on purpose: a new comment above an old one must not change the old one's id.
    ``occurrence`` tells apart identical comments (same author, same text) on one page.
    """
    if native_id:
        return _digest(article_id_, "id", native_id)
    return _digest(article_id_, "text", author or "", " ".join(text.split())[:500], str(occurrence))
