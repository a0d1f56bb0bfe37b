"""The drill's arithmetic: downtime as the longest gap between acknowledgements, RTO to recovery."""

from __future__ import annotations

import pytest

from govcloud.errors import LabError
from govcloud.lab.workload.drill import Ack, longest_gap, recovery_time


def acks(*times: float) -> list[Ack]:
    return [Ack(f"w-{i}", t, "n") for i, t in enumerate(times)]


def test_the_longest_gap_counts_the_edges_of_the_window():
    assert longest_gap([1.0, 1.1, 3.0], 0.9, 3.2) == pytest.approx(1.9)
    assert longest_gap([], 1.0, 2.5) == pytest.approx(1.5)
    assert longest_gap([0.5, 9.0], 1.0, 2.0) == pytest.approx(1.0), "events outside the window do not count"


def test_recovery_ends_with_the_longest_silence_after_the_kill():
    # a reply in flight at the kill (10.01) is not recovery; writes resume at 11.4
    assert recovery_time(acks(9.9, 10.01, 11.4, 11.41, 11.42), 10.0) == pytest.approx(1.4)


def test_no_write_after_the_kill_is_an_error():
    with pytest.raises(LabError, match="no write was acknowledged"):
        recovery_time(acks(1.0, 2.0), 5.0)
