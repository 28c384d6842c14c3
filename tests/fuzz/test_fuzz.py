"""The mutation fuzzer (tests/fuzz/campaign.py) on both front-ends: a short run here, a long one
in `make soak`. Every mutant goes through `fastbackend compile` in a worker process, so a crash
of the interpreter is seen; the oracle is in campaign.py. The figures are printed (-s, or -rA)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz.campaign import run
from tests.fuzz.mutate import FRONT_ENDS, FrontEnd

# A new campaign number gives new mutants; a failure names its mutant, which
# `python -m tests.fuzz.campaign FRONT_END --campaign N --only K [--large]` runs alone.
CAMPAIGN = 27


@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_a_short_campaign_meets_the_oracle(front_end: FrontEnd, tmp_path: Path) -> None:
    """About 100 small mutants per front-end (seconds of CPU); the runtime starts for a sample."""
    report = run(front_end, CAMPAIGN, count=100, seconds=600, large=False, runtime_sample=10,
                 workdir=tmp_path)
    print(report.summary())
    assert report.failures == [], report.summary()
    assert len(report.outcomes) == 100, report.summary()  # the time bound is far above
    assert any(o.runtime == "ok" for o in report.outcomes), report.summary()


@pytest.mark.soak
@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_a_long_campaign_meets_the_oracle(front_end: FrontEnd, tmp_path: Path) -> None:
    """2,000 mutants per front-end, real projects included, within 25 minutes each."""
    report = run(front_end, CAMPAIGN + 1, count=2_000, seconds=1_500, large=True,
                 runtime_sample=10, workdir=tmp_path)
    print(report.summary())
    assert report.failures == [], report.summary()
    assert len(report.outcomes) >= 200, report.summary()
