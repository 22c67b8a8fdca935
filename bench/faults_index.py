"""Benchmark: faults on the write path (engine killed, engine frozen, full disk): documents kept and time to recover.

Run from the project root as root (the full disk is a small tmpfs mounted for the run):
    python bench/faults_index.py [--faults killed,frozen,disk] [--out BENCHMARKS.md]
Each fault runs the scenario of tests/e2e/index_faults.py against the local test site (one outlet) and a
local OpenSearch of its own: a crawl the fault hits mid-way, the recovery a person would make, the next
crawl. Prints a markdown table (documents expected, indexed, duplicated; seconds from the end of the fault
to an index equal to the site) and, with --out, puts it in the "Faults: engine and disk" section.
"""
from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.conftest import start_test_site, stop_test_site  # noqa: E402
from tests.e2e.index_faults import FaultOutcome, disk_full, engine_frozen, engine_killed  # noqa: E402
from tests.engines import LocalEngine  # noqa: E402
from tests.filesystems import FullDisk  # noqa: E402

SECTION = "## Faults: engine and disk"
COMMAND = "python bench/faults_index.py --out BENCHMARKS.md"


def with_engine(scenario: Callable[[str, LocalEngine, Path], FaultOutcome]) -> Callable[[str, Path], FaultOutcome]:
    def run(base_url: str, directory: Path) -> FaultOutcome:
        engine = LocalEngine(directory / "engine")
        engine.start()
        try:
            return scenario(base_url, engine, directory / "run")
        finally:
            engine.stop()
    return run


def with_disk(base_url: str, directory: Path) -> FaultOutcome:
    disk = FullDisk(directory / "disk")
    try:
        if disk.kind != "tmpfs":
            raise SystemExit("the full-disk fault needs a tmpfs: run as root (or leave it out: --faults killed,frozen)")
        return disk_full(base_url, disk, directory / "run")
    finally:
        disk.remove()


FAULTS: dict[str, Callable[[str, Path], FaultOutcome]] = {
    "killed": with_engine(engine_killed), "frozen": with_engine(engine_frozen), "disk": with_disk}


def table(outcomes: list[FaultOutcome]) -> str:
    lines = ["| fault | faulty crawl | spooled | lost, counted | expected | indexed | duplicated | recovery (s) |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for o in outcomes:
        lost = o.faulty.get("errors", {}).get("index_write_lost", 0)
        lines.append(f"| {o.fault} | {o.faulty.get('status')} | {o.faulty.get('spooled', 0)} | {lost} | "
                     f"{o.comparison.expected} | {o.comparison.indexed} | {o.comparison.duplicates} | "
                     f"{o.recover_seconds:.1f} |")
    return "\n".join(lines)


def write_section(path: Path, body: str) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    section = f"{SECTION}\n\n{body}\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    text = pattern.sub(section + "\n", text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--faults", default="killed,frozen,disk", help="comma-separated: " + ",".join(FAULTS))
    parser.add_argument("--out", type=Path, help="update this markdown file's section")
    args = parser.parse_args()
    names = [n.strip() for n in args.faults.split(",") if n.strip()]
    unknown = [n for n in names if n not in FAULTS]
    if unknown:
        raise SystemExit(f"unknown fault(s) {', '.join(unknown)}: choose from {', '.join(FAULTS)}")
    site = start_test_site()
    outcomes = []
    try:
        for name in names:
            with tempfile.TemporaryDirectory(prefix=f"fault-{name}-") as directory:
                outcome = FAULTS[name](site.base_url, Path(directory))
                print(f"{name}: {outcome}", file=sys.stderr)
                outcomes.append(outcome)
    finally:
        stop_test_site(site)
    body = (f"`{COMMAND}` (one outlet of the test site, {outcomes[0].comparison.expected if outcomes else 0} "
            "documents; small batches; a local OpenSearch per engine fault; a 1.5 MB tmpfs for the disk).\n"
            "Recovery: from the restart, thaw or freed space to the end of the next crawl, whose index is "
            "compared with the site.\n\n" + table(outcomes))
    print(body)
    if args.out:
        write_section(args.out, body)


if __name__ == "__main__":
    main()
