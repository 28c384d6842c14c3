"""fastbackend.yaml's `events`: decided into the IR (1.4), every mistake at its line (exit 2)."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from fastbackend.config import ConfigError
from fastbackend.pipeline import compile_path
from fastbackend_ir import IR, dumps, loads
from tests.cli.helpers import BLOG_MODELS, run

HOOK = '{type: webhook, url: "http://127.0.0.1:9/h", secret_env: HOOK_SECRET}'


def _compile(tmp_path: Path, config: str) -> IR:
    shutil.copy(BLOG_MODELS, tmp_path / "models.py")
    (tmp_path / "fastbackend.yaml").write_text(textwrap.dedent(config))
    _, result = compile_path(tmp_path)
    return result.ir


def test_destinations_and_subscriptions_go_into_the_ir(tmp_path: Path) -> None:
    ir = _compile(tmp_path, f"""
    events:
      destinations:
        hooks: {HOOK}
        stream: {{type: redis, url_env: REDIS_URL, stream: blog}}
        bus: {{type: nats, url: "nats://127.0.0.1:4222", subject: blog.events}}
        rabbit: {{type: rabbitmq, url_env: AMQP_URL, exchange: blog, routing_key: changes}}
      models:
        Post: {{hooks: all, stream: [create, delete]}}
        Tag: {{rabbit: [link], bus: [update]}}
      delivery: {{max_attempts: 4, backoff_seconds: 0.5}}
    """)
    events = ir.events
    assert events is not None and ir.ir_version == "1.9"
    assert events.destinations_of("Post", "create") == ("hooks", "stream")
    assert events.destinations_of("Post", "update") == ("hooks",)
    assert events.destinations_of("Tag", "link") == ("rabbit",)
    assert events.destinations_of("Tag", "create") == ()
    assert events.destinations["hooks"].secret_env == "HOOK_SECRET"
    assert events.destinations["rabbit"].routing_key == "changes"
    assert (events.max_attempts, events.backoff_seconds) == (4, 0.5)
    assert loads(dumps(ir)) == ir  # the canonical form round-trips


def test_no_section_no_events(tmp_path: Path) -> None:
    assert _compile(tmp_path, "schema: models.py\n").events is None


@pytest.mark.parametrize(("config", "position", "code", "message"), [
    ("events: {destinations: {}}\n", "1:24", "FB408", "at least one destination"),
    ("events:\n  destinations:\n    h: {type: kafka, url: x}\n", "3:15", "FB408", "type must be"),
    ("events:\n  destinations:\n    h: {type: webhook, url: x}\n", "3:8", "FB408", "secret_env"),
    ("events:\n  destinations:\n    h: {type: redis, stream: s}\n", "3:8", "FB408", "url_env"),
    ("events:\n  destinations:\n    h: {type: webhook, url: x, secret_env: 'whsec_abc='}\n",
     "3:44", "FB408", "NAME of an environment variable"),
    (f"events:\n  destinations:\n    h: {HOOK}\n  models:\n    Post: {{hookz: all}}\n",
     "5:12", "FB408", "unknown destination 'hookz'"),
    (f"events:\n  destinations:\n    h: {HOOK}\n  models:\n    Post: {{h: [create, upsert]}}\n",
     "5:24", "FB402", "'upsert' is not an event operation"),
    (f"events:\n  destinations:\n    h: {HOOK}\n  models:\n    Pots: {{h: all}}\n",
     "5:5", "FB406", "'Pots', not a model"),
    (f"events:\n  destinations:\n    h: {HOOK}\n  delivery: {{max_attempts: 0}}\n",
     "4:28", "FB402", "max_attempts must be"),
    (f"events:\n  destinations:\n    h: {HOOK}\n  retries: 3\n", "4:3", "FB401",
     "unknown key 'retries' in events"),
    ("events:\n  realtime: {models: [Post, Pots]}\n", "2:29", "FB406", "'Pots', not a model"),
    ("events:\n  realtime: {models: Post}\n", "2:22", "FB402", "list of distinct model names"),
    ("events:\n  realtime: {models: []}\n", "2:22", "FB402", "list of distinct model names"),
    ("events:\n  realtime: {models: [Post], heartbeat_seconds: 0}\n", "2:49", "FB402",
     "heartbeat_seconds must be"),
    ("events:\n  realtime: {models: [Post], retention_rows: 1.5}\n", "2:46", "FB402",
     "retention_rows must be a whole number"),
    ("events:\n  realtime: {models: [Post], replay: all}\n", "2:30", "FB401",
     "unknown key 'replay'"),
])
def test_each_mistake_is_reported_at_its_position(tmp_path: Path, config: str, position: str,
                                                  code: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        _compile(tmp_path, config)
    text = str(raised.value)
    assert text.startswith(f"fastbackend.yaml:{position}: error {code}: "), text
    assert message in text, text


def test_the_cli_exits_2_and_no_secret_value_reaches_the_ir(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOK_SECRET", "whsec_c2VjcmV0LXZhbHVl")
    shutil.copy(BLOG_MODELS, tmp_path / "models.py")
    (tmp_path / "fastbackend.yaml").write_text(
        f"events:\n  destinations:\n    h: {HOOK}\n  models:\n    Post: {{h: all}}\n")
    assert run("compile", str(tmp_path))[0] == 0
    written = (tmp_path / ".fastbackend" / "ir.json").read_text()
    assert "HOOK_SECRET" in written and "whsec_" not in written
    (tmp_path / "fastbackend.yaml").write_text("events:\n  destinations:\n    h: {type: x}\n")
    code, _, stderr = run("compile", str(tmp_path))
    assert code == 2 and "fastbackend.yaml:3:15: error FB408" in stderr


def test_the_express_target_records_the_events_the_ir_declares(tmp_path: Path) -> None:
    """The Express server records events (docs/events.md): each write site sends the
    destinations the IR names for its entity and operation; the rest record nothing."""
    shutil.copy(BLOG_MODELS, tmp_path / "models.py")
    (tmp_path / "fastbackend.yaml").write_text(
        f"events:\n  destinations:\n    h: {HOOK}\n  models:\n    Post: {{h: [create, delete]}}\n")
    code, _, stderr = run("compile", str(tmp_path), "--target", "express",
                          "--out", str(tmp_path / "server"))
    assert code == 0, stderr
    posts = (tmp_path / "server" / "src" / "routes" / "post.ts").read_text()
    assert 'recordEvents(tx, model, "create", ["h"], [created])' in posts
    assert 'recordEvents(tx, model, "delete", ["h"], [deleted])' in posts
    assert 'recordEvents(tx, model, "update"' not in posts
    users = (tmp_path / "server" / "src" / "routes" / "user.ts").read_text()
    # a post created under its author is a Post create; a User write records nothing
    assert 'recordEvents(tx, models.Post, "create", ["h"], [row])' in users
    assert "recordEvents(tx, model," not in users


def test_a_realtime_feed_is_a_route_of_the_ir_and_of_the_openapi_document(
        tmp_path: Path) -> None:
    """A feed alone needs no destination; the route is recorded once, and documented."""
    from fastbackend_openapi import emit

    ir = _compile(tmp_path, """
    events:
      realtime: {models: [Tag, Post], heartbeat_seconds: 5, retention_rows: 1000}
    """)
    assert ir.events is not None and ir.events.destinations == {}
    assert (ir.events.realtime, ir.events.heartbeat_seconds) == (("Post", "Tag"), 5)
    assert (ir.events.retention_seconds, ir.events.retention_rows) == (86400, 1000)
    route = next(r for r in ir.entity("Post").routes or () if r.action == "changes")
    assert (route.method, route.path, route.operation_id) == ("GET", "/posts/changes",
                                                              "changesPosts")
    assert not any(r.action == "changes" for r in ir.entity("Comment").routes or ())
    assert loads(dumps(ir)) == ir
    operation = emit(ir)["paths"]["/posts/changes"]["get"]
    assert "text/event-stream" in operation["responses"]["200"]["content"]
    names = {p.get("name") for p in operation["parameters"]}
    assert "Last-Event-ID" in names


def test_the_express_target_serves_a_realtime_feed_too(tmp_path: Path) -> None:
    """A realtime entity's writes record its feed rows (`$realtime`, after the destinations'),
    and its router serves GET /posts/changes (tests/adapters/express/test_realtime.py runs it)."""
    shutil.copy(BLOG_MODELS, tmp_path / "models.py")
    (tmp_path / "fastbackend.yaml").write_text(
        f"events:\n  destinations:\n    h: {HOOK}\n  models:\n    Post: {{h: [create]}}\n"
        "  realtime: {models: [Post], heartbeat_seconds: 5}\n")
    code, _, stderr = run("compile", str(tmp_path), "--target", "express",
                          "--out", str(tmp_path / "server"))
    assert code == 0, stderr
    posts = (tmp_path / "server" / "src" / "routes" / "post.ts").read_text()
    assert 'recordEvents(tx, model, "create", ["h", "$realtime"], [created])' in posts
    assert 'recordEvents(tx, model, "update", ["$realtime"], [row]' in posts
    assert ('router.get("/posts/changes", rateLimit("GET", "/posts/changes", "Post", "list"), '
            'changesRoute(prisma, model, 5,') in posts
    users = (tmp_path / "server" / "src" / "routes" / "user.ts").read_text()
    # a post created under its author records the Post feed's row too; User has no feed
    assert 'recordEvents(tx, models.Post, "create", ["h", "$realtime"], [row])' in users
    assert "changesRoute" not in users and "recordEvents(tx, model," not in users
