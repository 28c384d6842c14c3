"""fastbackend.yaml's `operations`: each key is its variable, else the file's value, else the
default; a wrong key or value stops the server at its line and column."""

from __future__ import annotations

import pytest

from fastbackend_contract.config import ConfigError, Section, parse
from fastbackend_fastapi.operations.config import (
    NEEDS,
    SETTINGS,
    Operations,
    from_section,
)


def read(text: str, environ: dict[str, str] | None = None) -> Operations:
    return from_section(Section(parse(text), (), environ or {}).child("operations"))


def test_defaults_leave_everything_off() -> None:
    found = read("")
    assert not any(found[key] for key in ("metrics.enabled", "tracing.enabled",
                                          "rate_limit.enabled", "logs.access"))
    assert found.values == Operations().values


def test_the_variable_wins_over_the_file() -> None:
    text = "operations:\n  rate_limit:\n    enabled: false\n    requests: 5\n"
    assert read(text)["rate_limit.requests"] == 5
    found = read(text, {"FASTBACKEND_RATE_LIMIT": "1", "FASTBACKEND_RATE_LIMIT_REQUESTS": "9"})
    assert found["rate_limit.enabled"] is True
    assert found["rate_limit.requests"] == 9


def test_secrets_come_from_the_environment() -> None:
    text = "operations:\n  rate_limit:\n    redis_url: redis://:${REDIS_PASSWORD}@cache:6379/0\n"
    found = read(text, {"REDIS_PASSWORD": "s3cret"})
    assert found["rate_limit.redis_url"] == "redis://:s3cret@cache:6379/0"


@pytest.mark.parametrize(("text", "where", "message"), [
    ("operations:\n  metric: {}\n", "2:3", "unknown key 'metric'"),
    ("operations:\n  logs:\n    format: xml\n", "3:13", "must be one of text, json"),
    ("operations:\n  rate_limit:\n    requests: 0\n", "3:15", "must be above 0"),
    ("operations:\n  rate_limit:\n    requests: many\n", "3:15", "must be a whole number"),
    ("operations:\n  tracing:\n    enabled: yes please\n", "3:14", "must be true or false"),
    ("operations:\n  tracing:\n    sample_ratio: 1.5\n", "3:19", "must be at most 1"),
])
def test_mistakes_point_at_the_value(text: str, where: str, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        read(text)
    assert f"fastbackend.yaml:{where}: error FB40" in str(error.value)
    assert message in str(error.value)


def test_metrics_cannot_hide_a_resource() -> None:
    text = "operations:\n  metrics:\n    enabled: true\n    path: /posts\n"
    with pytest.raises(ConfigError, match=r"fastbackend.yaml:4:11: .*must be a path of its own"):
        from_section(Section(parse(text), (), {}).child("operations"), frozenset({"/posts"}))
    with pytest.raises(ConfigError, match="must be a path of its own"):
        read("operations:\n  metrics:\n    path: metrics\n")


def test_a_feature_without_its_library_says_what_to_install(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(NEEDS, "metrics.enabled", ("prometheus_client_not_installed",))
    with pytest.raises(ConfigError, match=r":3:14: .*pip install 'fastbackend\[ops\]'"):
        read("operations:\n  metrics:\n    enabled: true\n")
    read("operations:\n  metrics:\n    enabled: false\n")  # off: nothing to install


def test_a_bad_variable_names_itself() -> None:
    with pytest.raises(ValueError, match="FASTBACKEND_METRICS must be 1 or 0"):
        read("", {"FASTBACKEND_METRICS": "maybe"})


def test_a_sample_ratio_is_a_share_on_both_servers() -> None:
    """Above 1 is refused from the variable too, as the Express server refuses it: the bound
    is the contract's (OPERATIONS_SETTINGS), which contract.ts renders for it."""
    assert read("", {"FASTBACKEND_TRACE_SAMPLE_RATIO": "1"})["tracing.sample_ratio"] == 1.0
    with pytest.raises(ConfigError, match="sample_ratio must be at most 1"):
        read("", {"FASTBACKEND_TRACE_SAMPLE_RATIO": "1.5"})


def test_every_setting_is_documented() -> None:
    from tests.conftest import ROOT

    text = (ROOT / "docs" / "operations.md").read_text("utf-8")
    for setting in SETTINGS:
        assert f"`{'.'.join(setting.path)}`" in text, setting.path
        assert f"`{setting.env}`" in text, setting.env


def test_shared_writers_without_a_replica_are_refused_at_their_line() -> None:
    text = "operations:\n  replicas:\n    writers: redis\n"
    with pytest.raises(ConfigError, match=r"fastbackend.yaml:3:14: .*writers: redis needs"):
        read(text)
    urls = {"DATABASE_REPLICA_URLS": "postgresql://u@replica/db"}
    assert read(text, urls)["replicas.writers"] == "redis"
