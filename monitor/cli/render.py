"""Terminal rendering for the CLI: crawl progress and summary, search hits, comment trees. Scraped text is escaped."""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Console
from rich.markup import escape as _rich_escape
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

if TYPE_CHECKING:
    from monitor.config import Config
    from monitor.index import SearchResult
    from monitor.runs.crawl import CrawlRun

HIGHLIGHT = re.compile(r"«([^«»]*)»")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x1b]")
THREAD_NESTING = 8  # levels of replies `monitor thread` indents; deeper ones are listed flat


def escape(text: str) -> str:
    """Text from the web, made safe for rich markup and the terminal (no markup, no escape sequences)."""
    return _rich_escape(_CONTROL.sub(" ", text))


def plain(text: str | None) -> Text:
    return Text(_CONTROL.sub(" ", text or ""))


def table(title: str | None = None, *, caption: str | None = None) -> Table:
    """The CLI's table: a rule under the header and no vertical lines, so nothing dangles at the edges."""
    return Table(title=title, caption=caption, box=box.SIMPLE_HEAD, show_edge=False, padding=(0, 1, 0, 0),
                 title_justify="left", caption_justify="left")


def column(table_: Table, header: str, *, keep: bool = False, justify: str = "left") -> None:
    """Add a column that rich wraps at word breaks, never cutting a word to "…".

    ``keep``: a column a reader needs whole (a name, a status, a count): it is not wrapped, so a narrow terminal
    wraps the other columns first; only when those cannot give way enough are its cells folded.
    """
    table_.add_column(header, justify=justify, overflow="fold",  # type: ignore[arg-type]  # JustifyMethod literal
                      no_wrap=keep)


def rows_table(title: str | None, headers: Sequence[str], rows: Sequence[Sequence[str | Text]], *,
               keep: Sequence[str] = (), right: Sequence[str] = (), caption: str | None = None) -> Table:
    """A table of rows: strings are shown as plain text (they may come from the web), Text as styled."""
    shown = table(title, caption=caption)
    for header in headers:
        column(shown, header, keep=header in keep, justify="right" if header in right else "left")
    for row in rows:
        shown.add_row(*(cell if isinstance(cell, Text) else plain(cell) for cell in row))
    return shown


def highlighted(snippet: str) -> Text:
    """A snippet whose «matched words» are shown in bold yellow."""
    text = Text()
    position = 0
    for match in HIGHLIGHT.finditer(snippet):
        text.append(_CONTROL.sub(" ", snippet[position:match.start()]))
        text.append(_CONTROL.sub(" ", match.group(1)), style="bold yellow")
        position = match.end()
    text.append(_CONTROL.sub(" ", snippet[position:]))
    return text


def crawl_with_progress(
    config: Config, sources: Sequence[str], *, parallel: int, console: Console, show: bool,
    on_interrupt: Callable[[int], None] | None = None,
) -> list[CrawlRun]:
    """Run the crawls, with one live progress line per source when ``show`` (from the supervisor's callback)."""
    from monitor.runs.supervisor import run_manual_crawls

    if not show:
        return run_manual_crawls(config, sources, parallel=parallel, on_interrupt=on_interrupt)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(bar_width=None),
               TextColumn("{task.fields[counts]}"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        tasks = {name: progress.add_task(escape(name), total=None, counts="waiting") for name in sources}

        def update(source: str, summary: dict[str, Any]) -> None:
            errors = sum(summary["errors"].values())
            counts = (f"{summary['pages_fetched']} pages, {summary['articles_new']} new articles, "
                      f"{summary['comments_new']} new comments, {errors} errors")
            done = summary["status"] != "running"
            progress.update(tasks[source], counts=counts, total=1 if done else None, completed=1 if done else 0)

        return run_manual_crawls(config, sources, parallel=parallel, on_progress=update, on_interrupt=on_interrupt)


def crawl_summary(console: Console, summaries: Sequence[dict[str, Any]]) -> None:
    rows = [[s["source"], s["status"], str(s["pages_fetched"]), f"{s['articles_new']} / {s['articles_updated']}",
             f"{s['comments_new']} new", ", ".join(f"{k} {v}" for k, v in s["skipped"].items()) or "-",
             ", ".join(f"{k} {v}" for k, v in s["errors"].items()) or "-"] for s in summaries]
    console.print(rows_table("Crawl summary", ["source", "status", "pages", "articles", "comments", "skipped", "errors"],
                             rows, keep=("source", "status", "pages", "articles", "comments"),
                             right=("pages", "articles", "comments"),
                             caption="articles: new / updated; pages: all fetched"))
    for s in summaries:
        if s["status"] != "finished":
            why = f"{escape(s['reason'])}; " if s.get("reason") else ""
            console.print(f"[red]{escape(s['source'])} {escape(s['status'])}[/]: {why}see its log {escape(s['log'])}")
        if s.get("spooled") and s["status"] != "spooled":  # a spooled run's reason says so already
            console.print(f"[yellow]{escape(s['source'])}: {s['spooled']} articles wait in the spool[/] (the index was "
                          "unreachable); they are written at the next crawl, or now with `monitor index spool --replay`")


def key_values(console: Console, data: dict[str, Any], *, title: str) -> None:
    """A nested mapping as an indented list (index status and the like)."""
    tree = Tree(Text(title, style="bold"))

    def add(node: Tree, value: Any) -> None:
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            if isinstance(item, (dict, list)) and item:
                add(node.add(plain(str(key))), item)
            else:
                node.add(plain(f"{key}: {item}"))

    add(tree, data)
    console.print(tree)


def facets(console: Console, counts: dict[str, dict[str, int]]) -> None:
    for name, values in counts.items():
        shown = ", ".join(f"{k} {v}" for k, v in list(values.items())[:12])
        console.print(plain(f"{name}: {shown}"), style="dim")


def search_results(console: Console, result: SearchResult, *, query: str) -> None:
    console.print(f"{result.total} result{'s' if result.total != 1 else ''}" + (f" for {escape(query)}" if query else ""))
    if result.facets:
        facets(console, result.facets)
    for hit in result.hits:
        console.print()
        header = Text()
        header.append("comment " if hit["type"] == "comment" else "article ", style="dim")
        title = hit.get("article_title") if hit["type"] == "comment" else hit.get("title")
        header.append(_CONTROL.sub(" ", title or "(untitled)"), style="bold")
        console.print(header)
        meta = " · ".join(x for x in (hit.get("source"), hit.get("author"), (hit.get("published") or "")[:16]) if x)
        console.print(plain(meta), style="dim")
        console.print(highlighted(hit.get("snippet") or (hit.get("text") or "")[:240]))
        console.print(plain(hit.get("url")), style="cyan")
        more = also_published(hit)
        if more:
            console.print(plain(more), style="dim")


def also_published(hit: dict[str, Any]) -> str:
    """A collapsed hit's other copies: "and 2 more from ledger, courier" ('' for a story told once)."""
    cluster = hit.get("cluster") or {}
    if not cluster.get("more"):
        return ""
    also = cluster.get("also") or []
    return f"and {cluster['more']} more" + (f" from {', '.join(str(s) for s in also)}" if also else "")


def thread(console: Console, data: dict[str, Any]) -> None:
    article = data["article"]
    console.print(plain(article.get("title") or "(untitled)"), style="bold")
    meta = " · ".join(x for x in (article.get("source"), ", ".join(article.get("authors") or []),
                                  article.get("published"), article.get("url")) if x)
    console.print(plain(meta), style="dim")
    text = article.get("text") or ""
    console.print(plain(text[:1200] + ("…" if len(text) > 1200 else "")))
    if data.get("copies"):
        console.print(plain("also published by: " + ", ".join(
            f"{c.get('source')} ({c.get('url')})" for c in data["copies"])), style="dim")
    comments = data["comments"]
    linked = data.get("comment_id")
    root = Tree(Text(f"{len(comments)} comment{'s' if len(comments) != 1 else ''}", style="bold"))
    # id -> (the tree node its replies go under, its depth, its author). Replies nest THREAD_NESTING deep;
    # deeper ones are listed flat under the deepest, naming whom they answer, so none is cut off the screen.
    shown: dict[str, tuple[Tree, int, str]] = {}
    for comment in comments:
        author = _CONTROL.sub(" ", comment.get("author") or "anonymous")
        label = Text()
        parent = shown.get(comment.get("parent_id") or "")
        holder, depth = (parent[0], parent[1] + 1) if parent else (root, 1)
        if parent and parent[1] > THREAD_NESTING:
            label.append(f"↳ {parent[2]}  ", style="dim")
        if linked is not None and comment.get("id") == linked:
            label.append("▶ the linked comment  ", style="bold yellow")
        label.append(author, style="bold")
        if comment.get("published"):
            label.append(f"  {comment['published']}", style="dim")
        if comment.get("likes") is not None:
            label.append(f"  ♥ {comment['likes']}", style="dim")
        label.append("\n")
        label.append(_CONTROL.sub(" ", comment.get("text") or ""))
        node = holder.add(label)
        shown.setdefault(str(comment.get("id")), (node if depth <= THREAD_NESTING else holder, depth, author))
    console.print(root)
