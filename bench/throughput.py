"""Benchmark: crawl throughput on a real-page site against news-please and against the extraction limits (issue 17).

Run from the project root:
    python bench/throughput.py [--pages 3000] [--opensearch http://127.0.0.1:9200] [--no-newsplease]
        [--newsplease-venv DIR] [--json OUT]

It builds a site of ``--pages`` copies of the real pages in ../shared/data (each copy its own URL and
rel=canonical; a sitemap index, news sitemaps, an RSS feed and section pages) and serves it on 127.0.0.1 with
nginx (a Python static server when nginx is not installed). Then, in one run:

- the two extraction limits: plain ``trafilatura.extract`` and ``monitor.extract.extract_html`` over the same
  pages from memory in a pool of 2 processes;
- ``monitor crawl`` of the site into SQLite (and into OpenSearch when ``--opensearch`` names one), with
  ``download_delay: 0``, autothrottle off and 16 requests per domain;
- news-please 1.6.16 (SitemapCrawler, JSON files, images not fetched) from a venv of its own, created under
  ``~/.cache/monitor-bench`` and pip-installed on first use.

Each reports articles/s, CPU per article summed over its whole process tree (from /proc, the pool's workers
included) and peak PSS of the tree; the crawl also its main process's CPU per page (and by thread:
bench/threadcpu.py) and how its PSS moves per 1,000 pages. Prints markdown for BENCHMARKS.md.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import memtrace  # noqa: E402
import proctree  # noqa: E402
import realsite  # noqa: E402
import threadcpu  # noqa: E402

from monitor.extract.comments.platforms.names import PLATFORM_NAMES  # noqa: E402

NEWSPLEASE = "news-please==1.6.16"
DEFAULT_VENV = Path.home() / ".cache" / "monitor-bench" / "newsplease"
WORKERS = 2
CONCURRENCY = 16


@dataclass
class Result:
    """One contender's run: what it produced, in what time, at what CPU and memory."""

    name: str
    articles: int
    wall: float
    cpu: float
    peak_pss_kb: int
    comments: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.articles / self.wall if self.wall else 0.0

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu / self.articles if self.articles else 0.0


# ----------------------------------------------------------------------------------- extraction limits


def _plain(page: tuple[str, bytes]) -> tuple[float, int]:
    import trafilatura

    started = time.process_time()
    text = trafilatura.extract(page[1], url=page[0]) or ""
    return time.process_time() - started, len(text)


def _ours(page: tuple[str, bytes]) -> tuple[float, int]:
    from monitor.extract import extract_html

    started = time.process_time()
    try:
        text = extract_html(page[1], page[0]).text
    except Exception:  # noqa: BLE001 - a page the extractor refuses counts as done, as the crawl drops it
        text = ""
    return time.process_time() - started, len(text)


def limit_child(kind: str, site_root: str, base: str, pages: int) -> None:
    """In a subprocess of its own: the pages from memory through a pool of WORKERS; prints JSON."""
    site = realsite.Site(root=Path(site_root), base=base, urls=[])
    site.urls = [f"{base}/{p.relative_to(site.root)}" for p in sorted((site.root / "news").rglob("*.html"))][:pages]
    items = list(site.pages())
    work = _plain if kind == "plain" else _ours
    with ProcessPoolExecutor(WORKERS, mp_context=get_context("forkserver")) as pool:
        list(pool.map(work, items[:WORKERS * 2]))  # imports and first-call caches in every worker, untimed
        started = time.monotonic()
        done = list(pool.map(work, items, chunksize=4))
        wall = time.monotonic() - started
    print(json.dumps({"pages": len(done), "wall": wall, "worker_cpu": sum(c for c, _ in done),
                      "empty": sum(1 for _, n in done if n == 0)}))


def run_limit(kind: str, site: realsite.Site, pages: int) -> Result:
    argv = [sys.executable, str(Path(__file__).resolve()), "_limit", kind, str(site.root), site.base, str(pages)]
    process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    watch = proctree.TreeWatch(process.pid).start()
    out, _ = process.communicate()
    watch.stop()
    answer = json.loads(out.strip().splitlines()[-1])
    name = "plain `trafilatura.extract`" if kind == "plain" else "our `extract_html` (article + comments)"
    # CPU from the workers' own clocks around each page: the tree's total also holds imports and start-up.
    return Result(name=name, articles=answer["pages"], wall=answer["wall"], cpu=answer["worker_cpu"],
                  peak_pss_kb=watch.peak_pss_kb, extra={"tree_cpu": watch.total_cpu, "empty": answer["empty"]})


# ----------------------------------------------------------------------------------------- monitor crawl


def monitor_config(directory: Path, site: realsite.Site, index_url: str) -> Path:
    source = {"name": "bench", "feeds": [site.feed], "sitemaps": [site.sitemap], "start_urls": site.sections,
              "follow_depth": 0, "allowed_domains": ["127.0.0.1"], "article_url_pattern": site.article_pattern,
              # The real pages embed Disqus and others: detected and recorded, never asked (no internet here).
              "platforms": {name: {"enabled": False} for name in PLATFORM_NAMES}}
    config = {"data_dir": str(directory / "data"), "index": {"url": index_url},
              "crawl": {"download_delay": 0, "autothrottle": False, "concurrency_per_domain": CONCURRENCY,
                        "download_timeout": 60, "max_page_bytes": 10_000_000},
              "sources": [source]}
    path = directory / "monitor.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def _extracted(progress_dir: Path) -> int:
    """Articles extracted so far, from the newest line of the crawl's progress file."""
    files = sorted(progress_dir.glob("*.progress.jsonl"))
    if not files:
        return 0
    data = files[-1].read_bytes()
    lines = data[: data.rfind(b"\n")].splitlines()
    return int(json.loads(lines[-1])["stats"].get("monitor/articles/extracted", 0)) if lines else 0


def run_crawl(name: str, directory: Path, site: realsite.Site, index_url: str, env: dict[str, str],
              tree: Path = ROOT) -> Result:
    directory.mkdir(parents=True)
    config = monitor_config(directory, site, index_url)
    progress_dir = directory / "data" / "runs" / "bench"
    argv = [sys.executable, "-m", "monitor.cli", "crawl", "bench", "--json"]
    threads = directory / "threads.json"
    started = time.monotonic()
    process = subprocess.Popen(argv, cwd=tree, env={**env, "MONITOR_CONFIG": str(config),
                                                   "MONITOR_BENCH_THREADS": str(threads)},
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    watch = proctree.TreeWatch(process.pid, progress=lambda: _extracted(progress_dir)).start()
    out, _ = process.communicate()
    wall = time.monotonic() - started
    watch.stop()
    summary = json.loads(out)["runs"][0]
    final = json.loads((sorted(progress_dir.glob("*.progress.jsonl"))[-1]).read_text().splitlines()[-1])["stats"]
    articles = int(final.get("monitor/articles/extracted", 0))
    main_cpu = watch.cpu_of(lambda command: "scrapy crawl" in command)
    workers_cpu = watch.cpu_of(lambda command: "forkserver" in command)
    return Result(name=name, articles=articles, wall=wall, cpu=watch.total_cpu, peak_pss_kb=watch.peak_pss_kb,
                  comments=int(final.get("monitor/comments/extracted", 0)),
                  extra={"status": summary.get("status"), "indexed": summary.get("articles_new"),
                         "errors": summary.get("errors"), "main_cpu": main_cpu, "workers_cpu": workers_cpu,
                         "main_threads": threadcpu.read(threads), "growth": growth(watch),
                         "samples": series(watch)})


KINDS = {"main": lambda c: "scrapy crawl" in c, "workers": lambda c: "forkserver" in c}


def series(watch: proctree.TreeWatch) -> list[tuple[int, int, int, int]]:
    """(articles, main PSS, workers PSS, tree PSS) in kB, at each sample."""
    return [(s.progress, *(sum(kb for pid, kb in s.by_pid.items() if wanted(watch.commands.get(pid, "")))
                           for wanted in KINDS.values()), s.pss_kb) for s in watch.samples]


def growth(watch: proctree.TreeWatch) -> dict[str, float]:
    """PSS slope in MB per 1,000 articles over the second half of the crawl (least squares), by process kind."""
    # While articles come: not the pool's start, nor its end (the workers exit once the last is done).
    final = max((s.progress for s in watch.samples), default=0)
    samples = [s for s in watch.samples if 0 < s.progress < final]
    if len(samples) < 4:
        return {}
    half = samples[len(samples) // 2:]
    kinds = {**KINDS, "tree": lambda c: True}
    out: dict[str, float] = {}
    for kind, wanted in kinds.items():
        xs = [s.progress for s in half]
        ys = [sum(kb for pid, kb in s.by_pid.items() if wanted(watch.commands.get(pid, ""))) / 1024 for s in half]
        mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
        spread = sum((x - mean_x) ** 2 for x in xs)
        out[kind] = 1000 * sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread if spread else 0.0
    return out


# ------------------------------------------------------------------------------------------- news-please


def newsplease_venv(venv: Path) -> Path:
    """news-please's command in a venv of its own, installed from PyPI on first use."""
    command = venv / "bin" / "news-please"
    if not command.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", NEWSPLEASE], check=True)
    return command


def newsplease_config(directory: Path, venv: Path, site: realsite.Site) -> Path:
    """config.cfg from the package's own, changed only where the comparison needs it; sitelist.hjson for the site."""
    package = next((venv / "lib").glob("python3*/site-packages/newsplease"))
    text = (package / "config" / "config.cfg").read_text(encoding="utf-8")
    work = directory / "repo"
    changes = {
        r"^default = .*$": "default = SitemapCrawler",
        r"^working_path = .*$": f"working_path = {work}/",
        r"^extractors = .*$": "extractors = ['newspaper_extractor_no_images', 'readability_extractor', "
                              "'date_extractor', 'lang_detect_extractor']",
        r"^CONCURRENT_REQUESTS=.*$": f"CONCURRENT_REQUESTS={CONCURRENCY}\nDOWNLOAD_DELAY=0\nAUTOTHROTTLE_ENABLED=False",
        r"^CONCURRENT_REQUESTS_PER_DOMAIN=.*$": f"CONCURRENT_REQUESTS_PER_DOMAIN={CONCURRENCY}",
        r"^LOG_LEVEL = .*$": "LOG_LEVEL = WARNING",
        # JSON files only: its default also stores every page's HTML.
        r"^ITEM_PIPELINES = \{[^}]*\}": "ITEM_PIPELINES = {'newsplease.pipeline.pipelines.ArticleMasterExtractor':100,\n"
                                        "                  'newsplease.pipeline.pipelines.JsonFileStorage':300}",
    }
    for pattern, replacement in changes.items():
        text, count = re.subn(pattern, replacement.replace("\\", "\\\\"), text, count=1, flags=re.M)
        assert count == 1, pattern
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "config.cfg").write_text(text, encoding="utf-8")
    # Every sitemap entry is an article: its heuristics (og:type and headline links) would drop many real pages.
    sitelist = {"base_urls": [{"url": site.base + "/", "crawler": "SitemapCrawler",
                               "overwrite_heuristics": {"crawler_contains_only_article_alikes": True},
                               "pass_heuristics_condition": "crawler_contains_only_article_alikes"}]}
    (directory / "sitelist.hjson").write_text(json.dumps(sitelist, indent=2), encoding="utf-8")
    return work


def run_newsplease(directory: Path, venv: Path, site: realsite.Site) -> Result:
    command = newsplease_venv(venv)
    work = newsplease_config(directory, venv, site)
    started_wall = time.time()
    started = time.monotonic()
    process = subprocess.Popen([str(command), "-c", str(directory), "-no-confirm"], cwd=directory,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    watch = proctree.TreeWatch(process.pid, progress=lambda: sum(1 for _ in (work / "data").rglob("*.json"))
                               if (work / "data").exists() else 0).start()
    process.wait()
    wall = time.monotonic() - started
    watch.stop()
    files = list((work / "data").rglob("*.json")) if (work / "data").exists() else []
    # Its launcher looks every 10 s whether its crawlers are done: the time ends at the last article written.
    last = max((f.stat().st_mtime for f in files), default=started_wall)
    return Result(name="news-please 1.6.16 (SitemapCrawler, JSON files, no images)", articles=len(files),
                  wall=last - started_wall, cpu=watch.total_cpu, peak_pss_kb=watch.peak_pss_kb, comments=None,
                  extra={"process_wall": wall, "with_text": sum(1 for f in files if _has_text(f))})


def _has_text(path: Path) -> bool:
    try:
        return bool((json.loads(path.read_text(encoding="utf-8")).get("maintext") or "").strip())
    except (OSError, ValueError):
        return False


# ------------------------------------------------------------------------------------------------- report


def report(results: list[Result], server: str, pages: int) -> str:
    rows = ["| run | articles | wall s | articles/s | CPU ms/article (tree) | peak PSS MiB | comments |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in results:
        rows.append(f"| {r.name} | {r.articles} | {r.wall:.1f} | {r.rate:.1f} | {r.cpu_ms:.1f} | "
                    f"{r.peak_pss_kb / 1024:.0f} | {'–' if r.comments is None else r.comments} |")
    plain = next((r for r in results if r.name.startswith("plain")), None)
    ours = next((r for r in results if r.name.startswith("our")), None)
    peer = next((r for r in results if r.name.startswith("news-please")), None)
    lines = [f"{pages} pages served by {server}; {WORKERS} extraction processes everywhere.", "", *rows, ""]
    for r in results:
        if not r.name.startswith("monitor crawl"):
            continue
        extra = r.extra
        lines.append(f"- {r.name}: status {extra['status']}, {extra['indexed']} indexed, errors {extra['errors']}; "
                     f"main process {1000 * extra['main_cpu'] / max(r.articles, 1):.2f} ms CPU/page, workers "
                     f"{1000 * extra['workers_cpu'] / max(r.articles, 1):.1f} ms/page; PSS growth per 1,000 articles "
                     f"(second half): " + ", ".join(f"{k} {v:+.2f} MB" for k, v in extra["growth"].items()))
        if extra["main_threads"]:
            lines.append("  - main process by thread, ms CPU/page: " + "; ".join(
                f"{name} {1000 * cpu / max(r.articles, 1):.2f}"
                for name, cpu in sorted(extra["main_threads"].items(), key=lambda item: -item[1])))
        if plain:
            lines.append(f"  - end to end / plain-trafilatura limit: **{r.rate / plain.rate:.2f}**"
                         + (f"; / our own limit: {r.rate / ours.rate:.2f}" if ours else ""))
        if peer and peer.rate:
            lines.append(f"  - / news-please: **{r.rate / peer.rate:.1f}×** articles/s, "
                         f"{peer.cpu_ms / r.cpu_ms:.1f}× less CPU per article")
    if peer:
        lines.append(f"- news-please: {peer.extra['with_text']} of {peer.articles} JSON files with a main text; its "
                     f"process ran {peer.extra['process_wall']:.1f} s (its launcher polls every 10 s)")
    return "\n".join(lines)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "_limit":
        limit_child(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=3000)
    parser.add_argument("--opensearch", help="also crawl into this OpenSearch (its own index prefix, removed after)")
    parser.add_argument("--no-newsplease", action="store_true")
    parser.add_argument("--no-limits", action="store_true")
    parser.add_argument("--newsplease-venv", type=Path, default=DEFAULT_VENV)
    parser.add_argument("--json", type=Path, help="write every figure here as JSON")
    parser.add_argument("--before", type=Path, help="also crawl with the code of this checkout (another commit)")
    parser.add_argument("--tracemalloc", type=Path, help="tracemalloc snapshots of the crawl's main process here "
                        "(bench/memtrace.py; slows the crawl)")
    parser.add_argument("--trace-at", default="2000,8000", help="article counts to snapshot at (with --tracemalloc)")
    args = parser.parse_args()
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="bench-tput-") as tmp:
        directory = Path(tmp)
        port = realsite.free_port()
        site = realsite.build(directory / "site", realsite.base_url(port), args.pages)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        hook = memtrace.write_sitecustomize(directory / "hook")  # the main process's CPU by thread, always
        env = {**env, "PYTHONPATH": os.pathsep.join([str(hook), env["PYTHONPATH"]])}
        if args.tracemalloc:
            args.tracemalloc.mkdir(parents=True, exist_ok=True)
            env = {**env, "MONITOR_BENCH_TRACEMALLOC": str(args.tracemalloc.resolve()), "MONITOR_BENCH_TRACE_AT": args.trace_at}
        with realsite.serve(site.root, port, directory / "server") as server:
            # news-please first: it takes longest and needs nothing of this tree.
            if not args.no_newsplease:
                results.append(run_newsplease(directory / "newsplease", args.newsplease_venv, site))
                print(f"news-please: {results[-1].rate:.1f} articles/s", file=sys.stderr)
            if not args.no_limits:
                for kind in ("plain", "ours"):
                    results.append(run_limit(kind, site, args.pages))
                    print(f"{results[-1].name}: {results[-1].rate:.1f} pages/s", file=sys.stderr)
            if args.before:
                before = args.before.resolve()
                results.append(run_crawl(f"monitor crawl → SQLite, before ({before.name})", directory / "before", site,
                                         f"sqlite:///{directory}/before/data/monitor.db",
                                         {**env, "PYTHONPATH": os.pathsep.join([str(hook), str(before)])},
                                         tree=before))
                print(f"crawl before: {results[-1].rate:.1f} articles/s", file=sys.stderr)
            results.append(run_crawl("monitor crawl → SQLite", directory / "sqlite", site,
                                     f"sqlite:///{directory}/sqlite/data/monitor.db", env))
            print(f"crawl: {results[-1].rate:.1f} articles/s", file=sys.stderr)
            if args.opensearch:
                prefix = f"bench-{uuid.uuid4().hex[:8]}"
                try:
                    results.append(run_crawl("monitor crawl → OpenSearch", directory / "opensearch", site,
                                             args.opensearch, {**env, "MONITOR_INDEX_PREFIX": prefix}))
                finally:
                    _delete_indices(args.opensearch, prefix)
    print(report(results, server, args.pages))
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ | {"rate": r.rate, "cpu_ms": r.cpu_ms} for r in results],
                                        indent=1, default=str), encoding="utf-8")
    return 0


def _delete_indices(url: str, prefix: str) -> None:
    request = urllib.request.Request(f"{url.rstrip('/')}/{prefix}*", method="DELETE")
    try:
        urllib.request.urlopen(request, timeout=30).close()
    except OSError as exc:
        print(f"could not delete the bench's indices {prefix}*: {exc}", file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
