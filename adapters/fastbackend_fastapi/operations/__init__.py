"""Production operations (docs/operations.md): request ids, /livez and /readyz, structured
logs, Prometheus metrics, OpenTelemetry traces and rate limits, from fastbackend.yaml's
`operations` section and the environment.

Request ids and the probes are always on (the REST contract has them); the rest is off by
default, and its libraries (the `fastbackend[ops]` extra) are imported only when switched on.
app.py calls wiring.install; problems.py reads requestid.current (so this package's own
__init__ imports nothing: problems.py is imported by what wiring imports).
"""
