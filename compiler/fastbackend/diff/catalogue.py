"""``fastbackend diff --rules``: the catalogue in each output format."""

from __future__ import annotations

from fastbackend.diff.rules import RULES, Rule
from fastbackend_ir import canonical_json
from fastbackend_ir.types import JSONObject, JSONValue


def render_catalogue(output_format: str) -> str:
    rules = list(RULES.values())
    if output_format == "json":
        listing: list[JSONValue] = [_json(rule) for rule in rules]
        return canonical_json(listing)
    if output_format == "markdown":
        return _markdown(rules)
    return _text(rules)


def _json(rule: Rule) -> JSONObject:
    return {"id": rule.id, "title": rule.title, "api": rule.api.label, "db": rule.db.label,
            "description": rule.description}


def _text(rules: list[Rule]) -> str:
    width = max(len(rule.id) for rule in rules)
    lines = [f"{'rule'.ljust(width)}  api      db       title"]
    lines += [f"{rule.id.ljust(width)}  {rule.api.label.ljust(7)}  {rule.db.label.ljust(7)}  "
              f"{rule.title}" for rule in rules]
    return "\n".join([*lines, f"{len(rules)} rules"]) + "\n"


def _markdown(rules: list[Rule]) -> str:
    lines = ["| Rule | API | Database | Meaning |", "|---|---|---|---|"]
    lines += [f"| `{rule.id}` | {rule.api.label} | {rule.db.label} | **{rule.title}.** "
              f"{rule.description} |" for rule in rules]
    return "\n".join(lines) + "\n"
