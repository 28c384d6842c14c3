"""The throwaway cluster: its own port, stop and start, and nothing left behind after a failure."""

from __future__ import annotations

import psycopg
import pytest

from tests.reliability.pgcluster import throwaway_cluster

pytestmark = [pytest.mark.postgres, pytest.mark.slow]  # starts a cluster


def _answers(url: str) -> bool:
    try:
        with psycopg.connect(url.replace("+psycopg", ""), connect_timeout=2) as connection:
            return connection.execute("SELECT 1").fetchone() == (1,)
    except psycopg.OperationalError:
        return False


def test_a_cluster_stops_starts_and_is_removed_even_when_the_block_fails() -> None:
    with pytest.raises(RuntimeError, match="the test failed"), throwaway_cluster() as cluster:
        folder, url = cluster.folder, cluster.url
        assert cluster.port != 5432 and _answers(url)
        cluster.stop()
        assert not cluster.running() and not _answers(url)
        cluster.start()
        assert cluster.running() and _answers(url)
        raise RuntimeError("the test failed")
    assert not folder.exists()
    assert not _answers(url)
