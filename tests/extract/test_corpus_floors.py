"""Quality floors on the whole shared corpora (../shared/data): article bodies of AEB, trafilatura-eval, fundus and
dragnet-train, and comment threads of trafilatura-eval and dragnet-train; one module, so each is extracted once."""
from __future__ import annotations

from typing import Any

import pytest

from tests.extract.conftest import DragnetPage
from tests.extract.corpus import Extracted, dragnet_block, fundus_body, scorer

pytestmark = pytest.mark.e2e  # Runs whole corpora through the extraction pool.

# Floors: what the extractor reliably reaches minus a small margin (measured Nov 2026 through extract_html:
# AEB F1 .9686, trafilatura-eval snippet F1 .9263, fundus body F1 .9529; plain trafilatura 2.3.1: .9598,
# .9255, .9487). The snippet floor is issue 4's target itself. A change may raise a floor, never lower it in silence.
MIN_AEB_F1 = 0.963
MIN_SNIPPET_F1 = 0.925
MIN_FUNDUS_F1 = 0.948
# dragnet-train (issue 12): the article text of the human copy, measured .9180 (plain trafilatura 2.3.1: .9107).
MIN_DRAGNET_F1 = 0.917
# trafilatura-eval's pages without comments: 7 of 720 yield some, each a real thread the truth does not list.
MAX_FALSE_POSITIVE_SHARE = 0.01
# dragnet-train (issue 12, measured 0.912 / 0.983 / 7 of 278): comment tokens against the human copy, and the
# pages with comments that give none. Without comments (both corpora): 10 of 802 yield some, every one a real
# thread the annotators did not copy (each inspected in BENCHMARKS.md), so the floor sits just above them.
MIN_DRAGNET_RECALL, MIN_DRAGNET_PRECISION, MAX_DRAGNET_NONE_SHARE = 0.911, 0.982, 7 / 278
MAX_FLAGGED_WITHOUT_COMMENTS = 10 / 802


def test_aeb_article_body_f1_holds_its_floor(aeb_run: tuple[list[str], list[Extracted]]) -> None:
    truths, extracted = aeb_run
    result = scorer().aeb_corpus(zip(truths, (e.text for e in extracted)))
    assert result["f1"] >= MIN_AEB_F1, result


def test_trafilatura_eval_snippet_f1_holds_its_floor(
    trafilatura_eval_run: tuple[list[dict[str, Any]], list[Extracted]],
) -> None:
    truths, extracted = trafilatura_eval_run
    tp = fp = fn = 0
    for item, page in zip(truths, extracted):
        a, b, c, _ = scorer().snippet_counts(item, page.text)
        tp, fp, fn = tp + a, fp + b, fn + c
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    f1 = 2 * precision * recall / (precision + recall)
    assert f1 >= MIN_SNIPPET_F1, {"precision": precision, "recall": recall, "f1": f1}


def test_fundus_body_f1_holds_its_floor(fundus_run: tuple[list[dict[str, Any]], list[Extracted]]) -> None:
    truths, extracted = fundus_run
    result = scorer().aeb_corpus(zip((fundus_body(t) for t in truths), (e.text for e in extracted)))
    assert result["f1"] >= MIN_FUNDUS_F1, result


def test_dragnet_article_body_f1_holds_its_floor(dragnet_run: list[DragnetPage]) -> None:
    assert len(dragnet_run) > 350
    result = scorer().aeb_corpus((page.article, page.extracted.text) for page in dragnet_run)
    assert result["f1"] >= MIN_DRAGNET_F1, result


def test_pages_without_comments_rarely_yield_any(
    trafilatura_eval_run: tuple[list[dict[str, Any]], list[Extracted]],
) -> None:
    truths, extracted = trafilatura_eval_run
    without = [(t, e) for t, e in zip(truths, extracted) if t.get("comments") == []]
    assert len(without) > 700
    flagged = [t["file"] for t, e in without if e.rows]
    assert len(flagged) / len(without) <= MAX_FALSE_POSITIVE_SHARE, flagged


def test_dragnet_comment_tokens_floor(dragnet_run: list[DragnetPage]) -> None:
    tp = gold = pred = 0
    for page in (p for p in dragnet_run if p.with_comments):
        counts = scorer().comment_tokens(page.comments, dragnet_block(page.extracted.rows))
        tp, gold, pred = tp + counts[0], gold + counts[1], pred + counts[2]
    assert gold > 0 and pred > 0
    assert tp / gold >= MIN_DRAGNET_RECALL and tp / pred >= MIN_DRAGNET_PRECISION, (tp / gold, tp / pred)


def test_dragnet_pages_with_comments_rarely_give_none(dragnet_run: list[DragnetPage]) -> None:
    with_comments = [p for p in dragnet_run if p.with_comments]
    assert len(with_comments) > 250
    none = [p.id for p in with_comments if not p.extracted.rows]
    assert len(none) / len(with_comments) <= MAX_DRAGNET_NONE_SHARE, none


def test_pages_without_comments_of_both_corpora_rarely_yield_any(
    trafilatura_eval_run: tuple[list[dict[str, Any]], list[Extracted]], dragnet_run: list[DragnetPage],
) -> None:
    truths, extracted = trafilatura_eval_run
    flagged = [t["file"] for t, e in zip(truths, extracted) if t.get("comments") == [] and e.rows]
    without = [p for p in dragnet_run if not p.with_comments]
    flagged += [p.id for p in without if p.extracted.rows]
    pages = sum(1 for t in truths if t.get("comments") == []) + len(without)
    assert len(without) > 50
    assert len(flagged) / pages <= MAX_FLAGGED_WITHOUT_COMMENTS, flagged
