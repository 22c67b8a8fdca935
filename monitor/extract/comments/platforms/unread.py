"""Why the monitor reads some detected platforms through no API: where their public read API falls short."""
from __future__ import annotations

__all__ = ["RENDER_HINT", "UNREAD", "unread_reason"]

RENDER_HINT = "a source with render: comments reads the thread from the rendered page"

# One line per platform that is detected but has no client; the README's platform table says the same.
UNREAD: dict[str, str] = {
    "hyvor": ("Hyvor Talk's Data API (talk.hyvor.com/api/data/v1/comments, a Data API key or Referer-checked public "
              "access) is documented, but not its Comment object nor how to ask for one page's thread"),
    "openweb": ("OpenWeb (Spot.IM) documents no public read endpoint: its conversation API is for partners, with "
                "a per-device token"),
}


def unread_reason(platform: str) -> str:
    """Why ``platform`` is not read through an API, and what a user can do."""
    why = UNREAD.get(platform, f"the monitor has no client for {platform}")
    return f"{why}; {RENDER_HINT}"
