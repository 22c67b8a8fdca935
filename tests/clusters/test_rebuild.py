"""`monitor clusters rebuild` over an index that has articles and no clusters: same clusters as at write time,
and a rebuild stopped midway continues where it was."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from monitor.clusters.rebuild import RebuildProgress, progress_file, rebuild
from monitor.errors import MonitorError
from monitor.index.base import SearchIndex, SearchRequest
from monitor.index.engine import EngineIndex
from monitor.items import Comment
from tests.clusters.stories import FERRY, LIBRARY, ORCHARD, copy
from tests.clusters.test_write import MONDAY, TUESDAY, WEDNESDAY, clusters

IDENTITY = "test-index"
EXPECTED = {
    "gazette-1": ("gazette-1", 3, ["courier", "gazette", "ledger"]),
    "gazette-2": ("gazette-2", 2, ["gazette", "ledger"]),
    "ledger-7": ("gazette-1", None, []),
    "ledger-8": ("gazette-2", None, []),
    "courier-3": ("gazette-1", None, []),
    "courier-4": ("courier-4", 1, ["courier"]),
}


@pytest.fixture
def unclustered(search_index: SearchIndex) -> SearchIndex:
    """Articles written by upserts alone, as an index from before clustering holds them."""
    search_index.upsert([copy(FERRY, source="gazette", number=1), copy(ORCHARD, source="gazette", number=2)],
                        seen_at=MONDAY)
    search_index.upsert([copy(FERRY, source="ledger", number=7), copy(ORCHARD, source="ledger", number=8)],
                        seen_at=TUESDAY)
    search_index.upsert([copy(FERRY, source="courier", number=3), copy(LIBRARY, source="courier", number=4)],
                        seen_at=WEDNESDAY)
    return search_index


def test_a_rebuild_clusters_an_existing_index_as_writes_would_have(unclustered: SearchIndex, tmp_path: Path) -> None:
    assert clusters(unclustered, *EXPECTED)["ledger-7"][0] is None
    result = rebuild(unclustered, identity=IDENTITY, data_dir=tmp_path, page_size=4)
    assert (result.done, result.joined) == (6, 3)
    assert clusters(unclustered, *EXPECTED) == EXPECTED
    assert not progress_file(tmp_path, IDENTITY).exists()


class Stop(Exception):
    pass


def test_a_stopped_rebuild_continues_after_the_last_page_it_finished(unclustered: SearchIndex, tmp_path: Path) -> None:
    def stop_after_first_page(progress: RebuildProgress, n: int) -> None:
        raise Stop

    with pytest.raises(Stop):
        rebuild(unclustered, identity=IDENTITY, data_dir=tmp_path, page_size=2, on_page=stop_after_first_page)
    saved = RebuildProgress.load(progress_file(tmp_path, IDENTITY), index=IDENTITY)
    assert saved.done == 2 and saved.after == (MONDAY, "gazette-2")
    pages: list[int] = []
    result = rebuild(unclustered, identity=IDENTITY, data_dir=tmp_path, page_size=2,
                     on_page=lambda progress, n: pages.append(n))
    assert pages == [2, 2]  # the first page is not done again
    assert result.done == 6
    assert clusters(unclustered, *EXPECTED) == EXPECTED


def test_a_progress_file_of_another_index_is_refused(unclustered: SearchIndex, tmp_path: Path) -> None:
    RebuildProgress(index="another-index", done=2).save(progress_file(tmp_path, IDENTITY))
    with pytest.raises(MonitorError, match="is for another-index"):
        rebuild(unclustered, identity=IDENTITY, data_dir=tmp_path)


def test_on_an_engine_a_rebuild_gives_documents_from_before_clusters_their_collapse_group(
        opensearch_url: str, engine_index_factory: Callable[[str], EngineIndex], tmp_path: Path) -> None:
    # The collapse field is the engines' own (SQLite groups by cluster_id, else id, as it reads).
    search_index = engine_index_factory(opensearch_url)
    article = copy(FERRY, source="gazette", number=1)
    article.comments = [Comment(id=f"c{n}", article_id=article.id, position=n, text=f"Ferry comment {n}")
                        for n in (1, 2)]
    search_index.upsert([article, copy(ORCHARD, source="gazette", number=2)], seen_at=MONDAY)
    ops: list[dict[str, object]] = []
    for alias, doc in [(search_index.articles, search_index.get_article("gazette-1")),
                       (search_index.articles, search_index.get_article("gazette-2")),
                       *((search_index.comments, c) for c in search_index.get_comments("gazette-1"))]:
        assert doc is not None
        ops += [{"index": {"_index": alias, "_id": doc["id"]}}, doc]  # as mapping 2 wrote them: no `cluster`
    search_index.write(ops)
    everything = SearchRequest(collapse=True, limit=10)
    assert len(search_index.search(everything).hits) == 1  # without the field all four fall in one group
    rebuild(search_index, identity=IDENTITY, data_dir=tmp_path)
    after = search_index.search(everything)
    assert (after.total, len(after.hits)) == (4, 4)
