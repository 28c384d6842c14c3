"""The emitted document as text: YAML (the default file) or JSON, byte-deterministic.

Keys keep the emitter's order (paths in IR order, components sorted by name): the same IR
always gives the same bytes, and the file reads top-down like the API.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from fastbackend_openapi import fastyaml


class _Dumper(yaml.SafeDumper):
    """Block style, insertion order, no aliases (a shared dict is written out each time); a
    lone ``$ref`` on its key's line (``schema: {$ref: '#/components/schemas/User'}``), as
    OpenAPI files are commonly written: a document is mostly references."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _mapping(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.MappingNode:
    flow = len(data) == 1 and "$ref" in data
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow)


_Dumper.add_representer(dict, _mapping)


def to_yaml(document: dict[str, Any]) -> str:
    """fastyaml's linear writer (the same bytes as PyYAML, ten times as fast), or PyYAML for
    what that writer does not cover."""
    try:
        return fastyaml.dump(document)
    except fastyaml.Unsupported:
        return pyyaml_dump(document)


def pyyaml_dump(document: dict[str, Any]) -> str:
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=100)


def to_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
