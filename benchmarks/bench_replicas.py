"""Read throughput of a primary alone vs a primary + 1 streaming replica (docs/operations.md,
"Read replicas"): the same runtime, same load, taking turns, on a throwaway primary and its
`pg_basebackup -R` standby (tests/reliability/pgreplica.py; needs root and the PostgreSQL 15
server binaries, else it says why and measures nothing).

Caveat printed with the figures: both servers, the runtime and the load generator share this
machine's cores, so a replica adds no hardware here; it shows the routing's cost and what
moving reads off the primary's process gives on one machine, not a cluster's scale-out.
"""

from __future__ import annotations

import os
from contextlib import ExitStack

from benchmarks.bench_operations import runtime
from benchmarks.bench_runtime import CONNECTIONS, POSTS, ROUNDS, SECONDS, seed
from benchmarks.runtime_load import Scenario, load_generator, measure
from tests.reliability.pgcluster import tools_missing

SCENARIOS = (
    Scenario("read-by-id", "GET", "/posts/{id}"),
    Scenario("filtered list", "GET", "/posts?status=published&limit=20"),
)


def main() -> None:
    reason = tools_missing()
    if reason is not None:
        print(f"   skipped: {reason}")
        return
    from tests.reliability.pgreplica import one, streaming_pair, wait_for

    print(f"   load: {load_generator()}, {CONNECTIONS} connections, best of {ROUNDS} x "
          f"{SECONDS:.0f} s per app and scenario, one uvicorn worker per app; "
          f"{os.cpu_count()} cores shared by primary, replica, runtime and load generator")
    with streaming_pair() as pair:
        seed(pair.primary.url)
        wait_for(pair.caught_up, "the standby to replay the seeded rows")
        setups = {"primary alone": {},
                  "primary + 1 replica": {"DATABASE_REPLICA_URLS": pair.standby.url}}
        with ExitStack() as stack:
            urls = {name: stack.enter_context(runtime(pair.primary.url, env))
                    for name, env in setups.items()}
            for base_url in urls.values():  # warm-up: pools filled, the replica checked
                measure(base_url, SCENARIOS[0], POSTS, 1.0, CONNECTIONS, "")
            served = "SELECT sum(xact_commit) FROM pg_stat_database"
            before = int(str(one(pair.standby, served)))
            best: dict[str, dict[str, float]] = {name: {} for name in urls}
            for scenario in SCENARIOS:
                for _ in range(ROUNDS):
                    for name, base_url in urls.items():  # taking turns: noise hits both alike
                        result = measure(base_url, scenario, POSTS, SECONDS, CONNECTIONS, "")
                        best[name][scenario.name] = max(best[name].get(scenario.name, 0.0),
                                                        result.requests_per_second)
            # the replica's own count (its statistics are flushed within a second or so)
            standby_transactions = int(str(one(pair.standby, served))) - before
    alone = best["primary alone"]
    print("-- req/s; the replica's ratio to the primary alone")
    for scenario in SCENARIOS:
        with_replica = best["primary + 1 replica"][scenario.name]
        print(f"   {scenario.name:<15}{alone[scenario.name]:>10,.0f}{with_replica:>10,.0f} "
              f"({with_replica / alone[scenario.name]:.2f}x)")
    print(f"   the standby ran {standby_transactions:,} transactions meanwhile (reads it served)")


if __name__ == "__main__":
    main()
