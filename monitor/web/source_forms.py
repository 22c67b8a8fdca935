"""The source form of the web UI: its fields to a source definition and back (other options as YAML)."""
from __future__ import annotations

import re
from typing import Any

import yaml
from fastapi import Form

from monitor.errors import ConfigError

LINES = ("feeds", "sitemaps", "start_urls", "search_urls", "allowed_domains")
SINGLE = ("article_url_pattern", "keep", "follow_depth", "max_articles", "max_comment_pages", "refresh_comments_for")
FIELDS = frozenset({"name", *LINES, *SINGLE, "schedule"})
_JITTER = re.compile(r"^(?P<when>.+?)\s+jitter\s+(?P<jitter>\S+)$")


def source_form(source_name: str = Form("", alias="name"), feeds: str = Form(""), sitemaps: str = Form(""), start_urls: str = Form(""),
                search_urls: str = Form(""), allowed_domains: str = Form(""), article_url_pattern: str = Form(""),
                keep: str = Form(""), follow_depth: str = Form(""), max_articles: str = Form(""),
                max_comment_pages: str = Form(""), refresh_comments_for: str = Form(""), schedule: str = Form(""),
                other: str = Form("")) -> dict[str, str]:
    """The form as posted (a FastAPI dependency)."""
    return {"name": source_name, "feeds": feeds, "sitemaps": sitemaps, "start_urls": start_urls, "search_urls": search_urls,
            "allowed_domains": allowed_domains, "article_url_pattern": article_url_pattern, "keep": keep,
            "follow_depth": follow_depth, "max_articles": max_articles, "max_comment_pages": max_comment_pages,
            "refresh_comments_for": refresh_comments_for, "schedule": schedule, "other": other}


def definition_from_form(form: dict[str, str]) -> dict[str, Any]:
    """The posted form as a source definition; empty fields take the defaults. Other options are YAML."""
    data: dict[str, Any] = {}
    other = form.get("other", "").strip()
    if other:
        try:
            extra = yaml.safe_load(other)
        except yaml.YAMLError as exc:
            raise ConfigError(f"other options: not valid YAML: {exc}") from None
        if not isinstance(extra, dict):
            raise ConfigError("other options: write YAML key: value lines, like\n"
                              "selectors:\n  article:\n    title: h1.headline")
        taken = sorted(set(map(str, extra)) & FIELDS)
        if taken:
            raise ConfigError(f"other options: {taken[0]} has a field of its own in the form; set it there")
        data.update(extra)
    if form.get("name", "").strip():
        data["name"] = form["name"].strip()
    for key in LINES:
        items = [line.strip() for line in form.get(key, "").splitlines() if line.strip()]
        if items:
            data[key] = items
    for key in SINGLE:
        value = form.get(key, "").strip()
        if value:
            data[key] = value
    schedule = schedule_from_text(form.get("schedule", ""))
    if schedule is not None:
        data["schedule"] = schedule
    return data


def schedule_from_text(text: str) -> str | dict[str, str] | None:
    """"15m", "*/30 * * * *", or either followed by "jitter 1m"; empty: none."""
    text = " ".join(text.split())
    if not text:
        return None
    match = _JITTER.match(text)
    if match is None:
        return text
    when = match["when"]
    return {"cron" if len(when.split()) == 5 else "every": when, "jitter": match["jitter"]}


def schedule_text(schedule: Any) -> str:
    """A stored schedule as the form's one line."""
    if not schedule:
        return ""
    if isinstance(schedule, str):
        return schedule
    text = str(schedule.get("cron") or schedule.get("every") or "")
    return f"{text} jitter {schedule['jitter']}" if schedule.get("jitter") else text


def form_from_definition(definition: dict[str, Any]) -> dict[str, str]:
    """A stored definition as the form's fields (what has no field of its own goes to other options)."""
    form = {"name": str(definition.get("name", ""))}
    for key in LINES:
        form[key] = "\n".join(str(v) for v in definition.get(key, []))
    for key in SINGLE:
        value = definition.get(key)
        form[key] = "" if value is None else str(value)
    form["schedule"] = schedule_text(definition.get("schedule"))
    rest = {k: v for k, v in definition.items() if k not in FIELDS}
    form["other"] = yaml.safe_dump(rest, sort_keys=False, allow_unicode=True) if rest else ""
    return form
