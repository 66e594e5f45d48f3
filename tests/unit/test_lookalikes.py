"""The threshold for many remembered people, from how alike strangers look on the camera."""

from __future__ import annotations

import pytest

from shopflow.analysis.lookalikes import Lookalikes, LookalikeSettings

BASE = 0.93


def learnt(scores: list[float], kept: int = 2_000) -> Lookalikes:
    lookalikes = Lookalikes(LookalikeSettings(validated_remembered=10, kept=kept))
    for score in scores:
        lookalikes.add(score)
    return lookalikes


# 100 pairs of strangers, 4 of them at or above the base threshold (p = 4 %).
STRANGERS = [0.5 + 0.004 * i for i in range(96)] + [0.94, 0.95, 0.96, 0.97]


@pytest.mark.parametrize(
    ("scores", "remembered", "low", "high"),
    [
        pytest.param(STRANGERS, 10, BASE, BASE, id="as many as validated: the base"),
        pytest.param([], 50, BASE, BASE, id="nothing learnt yet: the base"),
        pytest.param([0.5, 0.6, 0.9], 500, BASE, BASE, id="no stranger ever matched: the base"),
        # 1 - (1 - 0.04)^(10/20) = 2.0 %: 2 of the 100 may still match, so just above the third most alike.
        pytest.param(STRANGERS, 20, 0.95, 0.96, id="twice as many: above all but 2 lookalikes"),
        # 1 - 0.96^(10/50) = 0.8 %: none of the 100 may match.
        pytest.param(STRANGERS, 50, 0.97, 0.9701, id="five times as many: above every lookalike"),
    ],
)
def test_threshold_keeps_the_chance_of_a_mistake_where_it_was_measured(
    scores: list[float], remembered: int, low: float, high: float
) -> None:
    threshold = learnt(scores).threshold(BASE, remembered)
    assert low <= threshold <= high
    if low > BASE:
        assert threshold > low, "the lookalike at the boundary no longer matches"


def test_keeps_only_the_latest_pairs() -> None:
    lookalikes = learnt([0.99] * 50 + [0.5] * 100, kept=100)
    assert len(lookalikes) == 100
    # The early lookalikes have been pushed out: nothing raises the threshold any more.
    assert lookalikes.threshold(BASE, 500) == BASE
