"""The mutation fuzzer (tests/fuzz/campaign.py) on both front-ends: a short run here, a long one
in `make soak`. Every mutant goes through `fastbackend compile` in a worker process, so a crash
of the interpreter is seen; the oracle is in campaign.py. The figures are printed (-s, or -rA)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz.campaign import Worker, run
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


@pytest.mark.parametrize(("program", "death"), [
    ("import os, signal; input(); os.kill(os.getpid(), signal.SIGSEGV)", "signal 11"),
    ("import sys; input(); sys.exit(7)", "exit 7"),
    ("import time; input(); time.sleep(600)", "no answer within 1 s"),
])
def test_the_campaign_sees_a_cli_process_crash_or_hang(program: str, death: str,
                                                       tmp_path: Path) -> None:
    """The oracle's signal and hang checks: a worker that segfaults, exits or never answers."""
    worker = Worker(tmp_path / "worker.log", ("-c", program), hang=1)
    try:
        answer, why = worker.ask({"folder": str(tmp_path), "source": "x", "runtime": False})
    finally:
        worker.stop()
    assert answer is None and why is not None and death in why
