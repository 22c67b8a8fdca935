"""Leases in the state store: one holder at a time, all or none, renewed while held, lapsing when not."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from monitor.state.leases import Leases, Renewal


@pytest.fixture
def leases(tmp_path: Path) -> Leases:
    return Leases(f"sqlite:///{tmp_path / 'state.db'}")


def test_a_live_lease_is_refused_to_another_holder_and_extended_for_its_own(leases: Leases) -> None:
    assert leases.acquire(["source:a"], holder="w1", ttl=30)
    assert not leases.acquire(["source:a"], holder="w2", ttl=30)
    assert leases.acquire(["source:a"], holder="w1", ttl=30)
    assert [(h.name, h.holder) for h in leases.holders(["source:a"])] == [("source:a", "w1")]


def test_leases_are_taken_all_or_none(leases: Leases) -> None:
    assert leases.acquire(["domain:x"], holder="w1", ttl=30)
    assert not leases.acquire(["source:b", "domain:x"], holder="w2", ttl=30)
    assert leases.holders(["source:b"]) == []  # not left half-taken
    assert leases.acquire(["source:b", "domain:y"], holder="w2", ttl=30)


def test_a_lease_its_holder_stops_renewing_lapses_and_another_takes_it(leases: Leases) -> None:
    assert leases.acquire(["source:a"], holder="dead", ttl=0.2)
    time.sleep(0.4)
    assert leases.holders(["source:a"]) == []
    assert leases.acquire(["source:a"], holder="w2", ttl=30)
    assert leases.renew(["source:a"], holder="dead", ttl=30) == ["source:a"]  # lost, and told so


def test_release_frees_only_the_holders_own_leases(leases: Leases) -> None:
    leases.acquire(["source:a"], holder="w1", ttl=30)
    leases.release(["source:a"], holder="w2")
    assert not leases.acquire(["source:a"], holder="w2", ttl=30)
    leases.release(["source:a"], holder="w1")
    assert leases.acquire(["source:a"], holder="w2", ttl=30)


def test_a_renewal_thread_keeps_a_lease_alive_past_its_ttl(leases: Leases) -> None:
    lost: list[list[str]] = []
    assert leases.acquire(["source:a"], holder="w1", ttl=0.3)
    with Renewal(leases, ["source:a"], holder="w1", ttl=0.3, on_lost=lost.append):
        time.sleep(1.0)
        assert not leases.acquire(["source:a"], holder="w2", ttl=0.3)
    assert lost == []


def test_a_renewal_thread_reports_a_lease_taken_by_another(leases: Leases) -> None:
    lost = threading.Event()
    assert leases.acquire(["source:a"], holder="w1", ttl=0.3)
    leases.release(["source:a"], holder="w1")
    assert leases.acquire(["source:a"], holder="w2", ttl=30)
    with Renewal(leases, ["source:a"], holder="w1", ttl=0.3, on_lost=lambda _: lost.set()):
        assert lost.wait(5)


def test_two_holders_racing_for_one_lease_get_it_once(leases: Leases) -> None:
    won: list[str] = []
    barrier = threading.Barrier(8)

    def race(name: str) -> None:
        barrier.wait()
        if leases.acquire(["source:a"], holder=name, ttl=30):
            won.append(name)

    threads = [threading.Thread(target=race, args=(f"w{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1
