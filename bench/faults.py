"""Benchmark: time to recover after `monitor crawl` or `monitor serve` is SIGKILLed mid-crawl, and what was lost.

Run from the project root:  python bench/faults.py [--articles 300] [--repeat 1]
Prints markdown to paste into BENCHMARKS.md (the scenarios of tests/runs/test_faults.py, timed).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor.config import load_config  # noqa: E402
from monitor.runs.records import RunStore  # noqa: E402
from tests.conftest import start_test_site, stop_test_site  # noqa: E402
from tests.runs import faults  # noqa: E402

DEMO_ARTICLES = 12  # the source's own, with comment threads


def recovered(config: Path, base_url: str, restarted: float) -> tuple[float, faults.Comparison]:
    """Seconds from the restart until the index holds every document of the site (or the wait gives up)."""
    deadline = time.monotonic() + faults.WAIT_SECONDS
    while time.monotonic() < deadline:
        comparison = faults.compare(config, base_url)
        if comparison.complete:
            return time.monotonic() - restarted, comparison
        time.sleep(0.2)
    return float("nan"), faults.compare(config, base_url)


def crawl_killed(directory: Path, base_url: str) -> dict[str, Any]:
    config = faults.write_config(directory, base_url)
    process = faults.start_monitor(config, "crawl", log=directory / "crawl.out")
    indexed = faults.kill_mid_crawl(process, config, expected=expected(base_url))
    groups = faults.crawl_pids(config)
    faults.wait_for(lambda: not faults.processes_of(groups), "the killed crawl's processes to be gone")
    restarted = time.monotonic()
    again = faults.start_monitor(config, "crawl", log=directory / "crawl.out")
    seconds, comparison = recovered(config, base_url, restarted)
    again.wait()
    return {"fault": "`monitor crawl` SIGKILLed mid-crawl, then run again", "at_kill": indexed,
            "seconds": seconds, "comparison": comparison, "orphans": faults.processes_of(faults.crawl_pids(config))}


def serve_killed(directory: Path, base_url: str) -> dict[str, Any]:
    config = faults.write_config(directory, base_url, schedule="1h")
    server = faults.start_monitor(config, "serve", "--no-web", log=directory / "serve.log")
    indexed = faults.kill_mid_crawl(server, config, expected=expected(base_url))
    restarted = time.monotonic()
    server = faults.start_monitor(config, "serve", "--no-web", log=directory / "serve.log")
    try:
        seconds, comparison = recovered(config, base_url, restarted)
        faults.wait_for(lambda: not RunStore(load_config(config).state_db).running(), "the resumed run's end")
    finally:
        faults.stop(server)
    return {"fault": "`monitor serve` SIGKILLed mid-crawl, then restarted", "at_kill": indexed,
            "seconds": seconds, "comparison": comparison, "orphans": faults.processes_of(faults.crawl_pids(config))}


def expected(base_url: str) -> int:
    return len(faults.site_truth(base_url))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300, help="articles on the crawled source")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    rows = []
    for _ in range(args.repeat):
        for scenario in (crawl_killed, serve_killed):
            site = start_test_site()
            try:
                faults.add_articles(site.base_url, args.articles - DEMO_ARTICLES)
                with tempfile.TemporaryDirectory() as tmp:
                    rows.append(scenario(Path(tmp), site.base_url))
            finally:
                stop_test_site(site)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    print(f"`python bench/faults.py --articles {args.articles}` (commit {commit}; {faults.SOURCE} of the test site, "
          f"download_delay {faults.CRAWL['download_delay']} s, {faults.CRAWL['concurrency_per_domain']} per domain, "
          "SQLite index).\n")
    print("| fault | documents expected | indexed at the kill | indexed | duplicated | orphans | time to recover |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        c: faults.Comparison = row["comparison"]
        print(f"| {row['fault']} | {c.articles_expected} articles + {c.comments_expected} comments | "
              f"{row['at_kill']} articles | {c.articles_indexed} + {c.comments_indexed} | {c.duplicated} | "
              f"{len(row['orphans'])} | {row['seconds']:.1f} s |")


if __name__ == "__main__":
    main()
