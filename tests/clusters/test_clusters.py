"""Near-duplicate keys and cluster choice, on syndicated copies of real articles from ../shared/data."""
from __future__ import annotations

import hashlib
import itertools
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from monitor.clusters.assign import THRESHOLD, Member, cluster_for, regroup
from monitor.clusters.keys import BANDS, NUM_PERM, fingerprint, fingerprints
from monitor.demo.syndication import syndicate

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
from clusters import stories  # noqa: E402  (bench/clusters.py: the same stories the benchmark scores)

BRIEF = ("Police in the harbor district are asking for witnesses after a delivery van struck a parked car on "
         "Quay Street late on Tuesday evening. Nobody was hurt, officers said, and the street reopened an hour "
         "later. Anyone who saw the crash is asked to call the station.")


@pytest.fixture(scope="module")
def corpus() -> tuple[list, list]:
    copies = syndicate(stories())
    return copies, fingerprints([c.text for c in copies])


def member(article_id: str, text: str, first_seen: str, cluster_id: str = "") -> Member:
    fp = fingerprint(text)
    assert fp is not None
    return Member(article_id, "src", first_seen, cluster_id, fp)


def test_reprints_of_real_stories_pair_up_and_different_stories_never_do(corpus: tuple[list, list]) -> None:
    copies, prints = corpus
    by_key: dict[str, set[int]] = defaultdict(set)
    for i, fp in enumerate(prints):
        for key in fp.band_keys if fp else ():
            by_key[key].add(i)
    candidates = {pair for ids in by_key.values() for pair in itertools.combinations(sorted(ids), 2)}
    found = {(i, j) for i, j in candidates if prints[i].similarity(prints[j]) >= THRESHOLD}
    truth = {(i, j) for i, j in itertools.combinations(range(len(copies)), 2) if copies[i].story == copies[j].story}
    assert len(truth) > 1000
    precision = len(found & truth) / len(found)
    recall = len(found & truth) / len(truth)
    assert precision >= 0.99
    assert recall >= 0.95


def test_a_short_brief_reprinted_under_another_headline_joins_the_original() -> None:
    original = member("a", BRIEF, "2026-11-01T08:00:00+00:00")
    reprint = member("b", BRIEF + "\n\nRead more: our full coverage of the week's top stories.",
                     "2026-11-01T09:00:00+00:00")
    assert cluster_for(reprint, [original]) == "a"


def test_a_text_too_short_to_compare_has_no_fingerprint() -> None:
    assert fingerprint("Breaking: storm closes the ferry line.") is None


def test_the_earliest_copy_roots_the_cluster_and_a_later_copy_never_takes_its_id_over() -> None:
    first = member("first", BRIEF, "2026-11-01T08:00:00+00:00", cluster_id="first")
    later = member("later", BRIEF, "2026-11-02T08:00:00+00:00", cluster_id="first")
    assert cluster_for(first, [later]) == "first"  # the root re-crawled keeps its own cluster
    assert cluster_for(later, [first]) == "first"


def test_a_copy_joins_the_cluster_of_its_earliest_match_not_a_new_one() -> None:
    second = member("second", BRIEF, "2026-11-01T09:00:00+00:00", cluster_id="root")
    third = member("third", BRIEF, "2026-11-01T10:00:00+00:00")
    assert cluster_for(third, [second]) == "root"  # the root itself was not among the candidates


def test_an_edit_that_makes_a_copy_another_story_moves_it_and_its_followers_regroup(corpus: tuple[list, list]) -> None:
    copies, _ = corpus
    other_story = next(c.text for c in copies if c.story == 1)
    root = member("root", other_story, "2026-11-01T08:00:00+00:00", cluster_id="root")  # edited beyond recognition
    second = member("second", BRIEF, "2026-11-01T09:00:00+00:00", cluster_id="root")
    third = member("third", BRIEF, "2026-11-01T10:00:00+00:00", cluster_id="root")
    assert regroup([root, second, third]) == {"second": "second", "third": "second"}


def test_keys_are_the_same_in_every_process() -> None:
    """Band keys are stored in the index: another process (another machine) must compute the same ones."""
    mine = fingerprint(BRIEF)
    assert mine is not None and len(mine.signature) == NUM_PERM and len(mine.band_keys) == BANDS
    code = ("from monitor.clusters.keys import fingerprint; import sys; "
            "print(','.join(fingerprint(sys.stdin.read()).band_keys))")
    theirs = subprocess.run([sys.executable, "-c", code], input=BRIEF, capture_output=True, text=True, check=True,
                            cwd=ROOT).stdout.strip().split(",")
    assert theirs == list(mine.band_keys)


def test_the_keys_of_a_text_are_the_ones_indexes_already_store() -> None:
    """The signature is datasketch 2.0's default MinHash (num_perm 126, seed 20261201), which computed the keys
    stored before our own lines replaced it: the digest was taken from datasketch's output for BRIEF."""
    mine = fingerprint(BRIEF)
    assert mine is not None
    assert hashlib.sha256(mine.encoded().encode()).hexdigest() == (
        "fd3877cd1cc64b5fba9c088506bee334adc883e6526e16cbb8d81e4c3a497df0")
    assert mine.band_keys[:2] == ("0:5080a83e4d97a443", "1:5380ba5865e5763b")
