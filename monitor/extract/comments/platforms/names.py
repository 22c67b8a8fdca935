"""The names of the comment platforms the monitor detects, for the config to check without loading parsers."""
from __future__ import annotations

__all__ = ["PLATFORM_NAMES"]

PLATFORM_NAMES = ("disqus", "isso", "coral", "giscus", "utterances", "discourse", "remark42", "commento",
                  "comentario", "hyvor", "talkyard", "viafoura", "vuukle", "openweb", "wordpress", "wpdiscuz")
