"""`monitor --help` and a mistyped command answer without loading the crawler, the extractors or the servers."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import PROJECT_ROOT

# pydantic is not here: typer itself loads it to convert a command's arguments.
HEAVY = ("scrapy", "twisted", "trafilatura", "lxml", "fastapi", "uvicorn", "opensearchpy", "elasticsearch", "apprise",
         "apscheduler", "feedparser", "extruct", "parsel", "dateparser", "numpy", "sqlalchemy", "yaml")
# Runs the real entry point, then reports which top-level packages it had imported by the time it exited.
PROBE = """
import atexit, json, sys
atexit.register(lambda: sys.__stderr__.write("\\nMODULES " + json.dumps(sorted({m.split(".")[0] for m in sys.modules}))))
sys.argv = ["monitor", *sys.argv[1:]]
from monitor.cli import main
main()
"""


def _imported(*args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=60,
                          cwd=PROJECT_ROOT, env={"COLUMNS": "80", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT_ROOT)})
    marker = done.stderr.rpartition("\nMODULES ")[2]
    return done, set(json.loads(marker))


@pytest.mark.parametrize("args", [("--help",), ("search", "--help"), ("serch",)], ids=["help", "command-help", "typo"])
def test_help_and_usage_errors_load_none_of_the_heavy_packages(args: tuple[str, ...]) -> None:
    done, modules = _imported(*args)
    assert "typer" in modules and "monitor" in modules  # the probe saw the real command run
    assert "Usage" in done.stdout + done.stderr
    assert sorted(modules & set(HEAVY)) == []


def test_the_probe_sees_the_heavy_packages_a_running_command_loads() -> None:
    page = PROJECT_ROOT / "tests" / "fixtures" / "pages" / "comments" / "jsonld.html"
    done, modules = _imported("extract", str(page), "--url", "https://post.example/article", "--json")
    assert done.returncode == 0 and json.loads(done.stdout)["comments"]
    assert {"trafilatura", "lxml"} <= modules
