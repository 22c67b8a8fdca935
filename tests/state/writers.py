"""Child processes of the shared-state tests: each waits for the go file, then writes the state store at once.

``python -m tests.state.writers outbox URL READY GO OUT``: claims and marks sent the due outbox, one line per
message to OUT.
``python -m tests.state.writers validators URL READY GO NAME ROUNDS``: writes one set of validators, shuffled.
"""
from __future__ import annotations

import random
import sys
import time
from pathlib import Path

from monitor.alerts.store import AlertStore
from monitor.state.validators import Validators, ValidatorStore

URLS = [f"https://news.example/{n}" for n in range(400)]


def _wait(ready: Path, go: Path) -> None:
    ready.touch()
    while not go.exists():
        time.sleep(0.01)


def outbox(url: str, ready: Path, go: Path, out: Path) -> None:
    """Claim a few due messages at a time (deliver_due claims one), "send" each, mark it sent."""
    store = AlertStore(url)
    _wait(ready, go)
    while batch := store.claim_due(limit=3):
        for message in batch:
            with out.open("a", encoding="utf-8") as sent:
                sent.write(message.title + "\n")
            store.mark_sent(message.id)


def validators(url: str, ready: Path, go: Path, name: str, rounds: int) -> None:
    store = ValidatorStore(url)
    shuffled = random.Random(name)
    _wait(ready, go)
    for n in range(rounds):
        urls = shuffled.sample(URLS, len(URLS))
        # Some removed (neither header), the rest replaced: both kinds of row in one write, in any order.
        store.put_many([Validators(u, f"{name}-{n}") if i % 7 else Validators(u) for i, u in enumerate(urls)],
                       source=name)
        store.put_many([Validators(u, f"{name}-{n}") for u in urls], source=name)


if __name__ == "__main__":
    kind, state, ready_file, go_file, *rest = sys.argv[1:]
    if kind == "outbox":
        outbox(state, Path(ready_file), Path(go_file), Path(rest[0]))
    else:
        validators(state, Path(ready_file), Path(go_file), rest[0], int(rest[1]))
