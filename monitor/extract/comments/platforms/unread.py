"""Why the monitor reads some detected platforms through no API: where their public read API falls short."""
from __future__ import annotations

__all__ = ["RENDER_HINT", "UNREAD", "unread_reason"]

RENDER_HINT = "a source with render: comments reads the thread from the rendered page"

# One line per platform that is detected but has no client; the README's platform table says the same.
UNREAD: dict[str, str] = {
    "hyvor": ("Hyvor Talk's Data API (talk.hyvor.com/docs/api-data: /api/data/v1/comments, website_id, limit "
              "up to 50, offset) answers a site owner's API key, or anonymous calls only where the owner turned on "
              "public access and the Referer is one of the site's domains; neither its docs as stored nor public "
              "code (calls filtering by id or created_at; the beta /api/v1/comments?page_identifier= giving id, "
              "created_at, markdown, user.name; the open embed prototype hyvor/hyvor-talk-comments, which calls "
              "only /api/embed/v3/{site}/init) show a reply's parent id or the documented way to ask for one "
              "page's thread"),
    "openweb": ("OpenWeb (Spot.IM) documents no public read endpoint: its conversation API is for partners, with "
                "a per-device token"),
}


def unread_reason(platform: str) -> str:
    """Why ``platform`` is not read through an API, and what a user can do."""
    why = UNREAD.get(platform, f"the monitor has no client for {platform}")
    return f"{why}; {RENDER_HINT}"
