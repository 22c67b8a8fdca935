"""Secrets from the environment kept out of logs: masking in text and in every log record."""
from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.parse import quote, quote_plus


def mask_secrets(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret (as is, or URL-quoted) replaced by ***."""
    for secret in secrets:
        for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
            if form:
                text = text.replace(form, "***")
    return text


class SecretMask(logging.Filter):
    """Masks the source's secrets in every log line, Scrapy's own ("Crawled <GET …?api_key=…>") included."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_secrets(message, self.secrets)
        if masked != message:
            record.msg, record.args = masked, None
        return True
