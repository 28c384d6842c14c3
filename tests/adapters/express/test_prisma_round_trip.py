"""schema.prisma -> IR -> our schema.prisma, judged by Prisma's own engine, on the whole corpus.

For every valid corpus schema the Prisma front-end compiles, the schema this emitter prints from
the IR must be accepted by Prisma 7 and describe the same models as the original (Prisma's
DMMF, normalised where the two spellings mean the same thing). Providers other than PostgreSQL
are out of scope: the Express target is PostgreSQL only.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from fastbackend.diagnostics import CompileError
from fastbackend.frontends.prisma import compile_texts
from fastbackend_express.prisma_schema import render_schema
from tests.frontends.prisma.corpus import ROOT, Case, load_cases, run_oracle
from tests.frontends.prisma.differential import compare
from tests.services import unavailable

pytestmark = [pytest.mark.node, pytest.mark.slow]  # Prisma's engine per schema

PROVIDER = re.compile(r'provider\s*=\s*"(\w+)"')
FIELD_KEYS = ("name", "kind", "type", "isList", "isRequired", "isId", "dbName", "hasDefaultValue",
              "default", "isUpdatedAt", "nativeType", "relationFromFields", "relationToFields",
              "relationOnDelete")
# Cases whose original is valid only without PostgreSQL's rules, or spells what the IR does not keep.
NOT_COMPARABLE = {
    "duplicate_index_names": "index names are global in a PostgreSQL schema; the original has no datasource",
    "lexical_edge_cases": "the front-end reads @map(\"\") as no mapping",
}


def _postgres_or_unspecified(case: Case) -> bool:
    providers = {match for text in case.files.values() for match in PROVIDER.findall(text)}
    return providers <= {"postgresql", "prisma-client", "prisma-client-js"}


def _field(field: dict[str, Any], model: dict[str, Any]) -> dict[str, Any]:
    shape = {key: field.get(key) for key in FIELD_KEYS}
    is_foreign_key = field.get("kind") == "object" and bool(field.get("relationFromFields"))
    if is_foreign_key and shape["relationOnDelete"] is None:
        # Prisma's default action, which the IR records explicitly.
        by_name = {f["name"]: f for f in model["fields"]}
        optional = any(not by_name[name]["isRequired"] for name in field["relationFromFields"])
        shape["relationOnDelete"] = "SetNull" if optional else "Restrict"
    return shape


def _uniques(model: dict[str, Any]) -> list[list[str]]:
    """Unique field sets however they are spelled (@unique or @@unique)."""
    sets = {tuple(names) for names in model.get("uniqueFields") or []}
    sets |= {(field["name"],) for field in model["fields"] if field.get("isUnique")}
    return sorted(list(names) for names in sets)


def shape(dmmf: dict[str, Any], keep: dict[str, set[str]] | None = None) -> dict[str, Any]:
    """The comparable parts of a DMMF; ``keep`` limits each model to the fields named."""
    models = {}
    for model in dmmf["models"]:
        fields = {f["name"]: _field(f, model) for f in model["fields"]
                  if keep is None or f["name"] in keep.get(model["name"], set())}
        models[model["name"]] = {"dbName": model.get("dbName"), "fields": fields,
                                 "primaryKey": (model.get("primaryKey") or {}).get("fields"),
                                 "uniques": _uniques(model)}
    enums = {e["name"]: {"dbName": e.get("dbName"),
                         "values": [[v["name"], v.get("dbName")] for v in e["values"]]}
             for e in dmmf["enums"]}
    return {"models": models, "enums": enums}


RoundTrips = list[tuple[str, dict[str, Any], dict[str, Any]]]  # case, Prisma's answers on theirs, ours


@pytest.fixture(scope="module")
def round_trips(node: str) -> RoundTrips:
    if not (ROOT / "node_modules" / "prisma-schema-wasm-7").is_dir():
        unavailable("Prisma's schema engine is not installed: run `npm ci --ignore-scripts`")
    originals, emitted = [], []
    for case in load_cases("valid"):
        if not _postgres_or_unspecified(case):
            continue
        try:
            ir = compile_texts(case.files).ir
        except CompileError:
            continue  # the front-end's own tests judge what it refuses
        originals.append(case)
        emitted.append(Case(case.id, {"schema.prisma": render_schema(ir)}))
    theirs, ours = run_oracle(originals, node), run_oracle(emitted, node)
    return [(case.id, theirs[case.id], ours[case.id]) for case in originals if theirs[case.id]["ok"]]


def test_enough_of_the_corpus_takes_part(round_trips: RoundTrips) -> None:
    assert len(round_trips) >= 30


def test_prisma_accepts_every_schema_the_emitter_prints(round_trips: RoundTrips) -> None:
    refused = {case: ours.get("message", "")[:300] for case, _, ours in round_trips
               if not ours["ok"] and case not in NOT_COMPARABLE}
    assert refused == {}


def test_the_printed_schema_describes_the_same_models(round_trips: RoundTrips) -> None:
    differing = {}
    for case, theirs, ours in round_trips:
        if case in NOT_COMPARABLE or not (ours["ok"] and theirs.get("dmmf") and ours.get("dmmf")):
            continue
        # Fields the original declares; ours may add the opposite ends the IR leaves out.
        keep = {m["name"]: {f["name"] for f in m["fields"]} for m in theirs["dmmf"]["models"]}
        differences = compare(shape(theirs["dmmf"]), shape(ours["dmmf"], keep))
        if differences:
            differing[case] = differences[:5]
    assert differing == {}
