"""Run FastBackend and Prisma's engine on the whole corpus and compare (used by the tests).

`python -m tests.frontends.prisma.differential` prints the agreement figures.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from typing import Any

from fastbackend.diagnostics import CompileError
from fastbackend.frontends.prisma import compile_texts
from fastbackend.frontends.prisma.compile import parse_texts
from fastbackend.frontends.prisma.symbols import build_symbols
from tests.frontends.prisma.corpus import (
    Case,
    load_cases,
    load_real_cases,
    mutation_cases,
    prisma_error_lines,
    run_oracle,
    with_variants,
)
from tests.frontends.prisma.dmmf import from_dmmf, from_ir


@dataclass
class Outcome:
    case: Case
    prisma_ok: bool
    ours_ok: bool
    differences: list[str] = field(default_factory=list)
    prisma_lines: list[tuple[str, int]] = field(default_factory=list)
    our_lines: list[tuple[str, int]] = field(default_factory=list)
    elements: int = 0
    without_dmmf: bool = False
    warnings: int = 0
    our_codes: list[str] = field(default_factory=list)
    mongodb: bool = False

    @property
    def refused_on_purpose(self) -> bool:
        """A MongoDB schema Prisma accepts, refused with FB222 alone, once, at the provider."""
        return (self.mongodb and self.prisma_ok and not self.ours_ok
                and self.our_codes == ["FB222"] and len(self.our_lines) == 1)

    @property
    def agrees(self) -> bool:
        if self.mongodb and self.prisma_ok:
            return self.refused_on_purpose
        if self.prisma_ok != self.ours_ok:
            return False
        if not self.prisma_ok:
            return self.first_line_agrees
        return not self.differences

    @property
    def first_line_agrees(self) -> bool:
        """FastBackend reports an error at the first line Prisma reports."""
        return bool(self.prisma_lines) and min(self.prisma_lines) in self.our_lines


def _provider(case: Case) -> str | None:
    schema, _ = parse_texts(case.files)
    return build_symbols(schema).provider


def compare(expected: Any, actual: Any, path: str = "") -> list[str]:
    if isinstance(expected, dict) and isinstance(actual, dict):
        out = []
        for key in sorted(set(expected) | set(actual), key=str):
            if key not in actual:
                out.append(f"{path}/{key}: missing in FastBackend")
            elif key not in expected:
                out.append(f"{path}/{key}: not in Prisma's DMMF")
            else:
                out += compare(expected[key], actual[key], f"{path}/{key}")
        return out
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        return [d for i, (a, b) in enumerate(zip(expected, actual, strict=True))
                for d in compare(a, b, f"{path}/{i}")]
    return [] if expected == actual else [f"{path}: Prisma {expected!r} != FastBackend {actual!r}"]


def _count(shape: dict[str, Any]) -> int:
    models = shape["models"].values()
    return (len(shape["models"]) + len(shape["enums"])
            + sum(len(m["fields"]) + len(m["relations"]) + len(m["indexes"]) for m in models))


def evaluate(case: Case, oracle: dict[str, Any]) -> Outcome:
    try:
        result = compile_texts(case.files)
    except CompileError as error:
        lines = sorted((d.file, d.line) for d in error.errors)
        return Outcome(case, oracle["ok"], False,
                       prisma_lines=prisma_error_lines(oracle.get("message", "")),
                       our_lines=lines, our_codes=[d.code for d in error.errors],
                       mongodb=_provider(case) == "mongodb")
    if not oracle["ok"]:
        return Outcome(case, False, True, prisma_lines=prisma_error_lines(oracle["message"]))
    provider = result.ir.database.provider if result.ir.database else None
    if provider == "mongodb":  # compiled, though it should have been refused
        return Outcome(case, True, True, mongodb=True)
    if oracle["dmmf"] is None:  # Prisma's engine crashed; validate() accepted the schema
        return Outcome(case, True, True, without_dmmf=True)
    kept = {name: {f.name for f in e.fields} for name, e in result.ir.entities.items()}
    expected = from_dmmf(oracle["dmmf"], provider, kept)
    actual = from_ir(result.ir)
    differences = compare(expected, actual)
    prisma_warnings = _warning_lines(case, oracle["warnings"])
    our_warnings = sorted({(d.file, d.line) for d in result.warnings})
    if prisma_warnings != our_warnings:
        differences.append(f"warnings: Prisma {prisma_warnings} != FastBackend {our_warnings}")
    return Outcome(case, True, True, differences, elements=_count(expected),
                   warnings=len(prisma_warnings))


def _warning_lines(case: Case, warnings: list[dict[str, Any]]) -> list[tuple[str, int]]:
    """Prisma's lint gives byte offsets; lines count LF, CRLF and lone CR as FastBackend does."""
    found = set()
    for warning in warnings:
        raw = case.files[warning["file"]].encode()[: warning["start"]].decode(errors="replace")
        found.add((warning["file"], raw.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1))
    return sorted(found)


MUTATION_SEED = 2026
MUTATIONS = 600


def corpus_cases() -> list[Case]:
    return [case for kind in ("valid", "invalid", "refused")
            for case in with_variants(load_cases(kind))]


def is_mutation(outcome: Outcome) -> bool:
    return outcome.case.id.startswith("mutation-")


def run_all(node: str) -> list[Outcome]:
    """The corpus (with its variants) and the seeded mutations, through one engine run."""
    cases = corpus_cases() + mutation_cases(MUTATION_SEED, MUTATIONS)
    oracle = run_oracle(cases, node)
    return [evaluate(case, _lines_for_lone_cr(case, oracle)) for case in cases]


def _lines_for_lone_cr(case: Case, oracle: dict[str, Any]) -> dict[str, Any]:
    """Prisma counts only LF when it reports a line, so in a lone-CR file every error is on
    "line 1"; FastBackend reports the real line. Such a case is held to the lines Prisma reports
    for the same schema with LF endings."""
    result: dict[str, Any] = oracle[case.id]
    if case.id.endswith("[cr]") and not result["ok"]:
        return {**result, "message": oracle[case.id.removesuffix("[cr]")]["message"]}
    return result


def figures(all_outcomes: list[Outcome]) -> str:
    outcomes = [o for o in all_outcomes if not is_mutation(o)]
    mutations = [o for o in all_outcomes if is_mutation(o)]
    return _corpus_figures(outcomes) + "\n" + _mutation_figures(mutations)


def _mutation_figures(mutations: list[Outcome]) -> str:
    accepted = sum(1 for o in mutations if o.prisma_ok)
    agree = sum(1 for o in mutations if o.agrees)
    return (f"mutations (seed {MUTATION_SEED}): {len(mutations)} schemas, Prisma accepts "
            f"{accepted}; FastBackend agrees on {agree}/{len(mutations)} (same verdict, same IR "
            "or an error at Prisma's first error line)")


def _corpus_figures(outcomes: list[Outcome]) -> str:
    refused = [o for o in outcomes if o.mongodb and o.prisma_ok]
    accepted = [o for o in outcomes if o.prisma_ok and o not in refused]
    rejected = [o for o in outcomes if not o.prisma_ok]
    same_ir = sum(1 for o in accepted if o.ours_ok and not o.differences)
    both_reject = sum(1 for o in rejected if not o.ours_ok)
    same_line = sum(1 for o in rejected if not o.ours_ok and o.first_line_agrees)
    all_lines = sum(1 for o in rejected if not o.ours_ok
                    and set(o.prisma_lines) <= set(o.our_lines))
    elements = sum(o.elements for o in accepted if o.ours_ok and not o.differences)
    crashed = sum(1 for o in accepted if o.without_dmmf)
    warned = sum(o.warnings for o in accepted)
    engines = {e: sum(1 for o in outcomes if o.case.engine == e) for e in ("6", "7")}
    return (f"{len(outcomes)} schemas (Prisma 6.19 engine: {engines['6']}, Prisma 7 engine: "
            f"{engines['7']}): Prisma accepts {len(accepted)}, rejects {len(rejected)}.\n"
            f"accepted: FastBackend's IR agrees with the DMMF on {same_ir}/{len(accepted)} "
            f"({elements} models, enums, fields, relations and indexes compared; {crashed} accepted "
            f"by validate() where the engine crashed, so compared on acceptance only; {warned} "
            "Prisma warnings, each one reported at its line)\n"
            f"rejected: FastBackend rejects {both_reject}/{len(rejected)}, with an error at "
            f"Prisma's first error line {same_line}/{len(rejected)}, reporting every Prisma error line "
            f"{all_lines}/{len(rejected)}\n"
            f"MongoDB schemas Prisma accepts: {len(refused)}, refused with FB222 alone "
            f"{sum(o.refused_on_purpose for o in refused)}/{len(refused)}")


def agreement(outcome: Outcome) -> float:
    """The share of compared elements (models, enums, fields, relations, indexes) on which the IR
    and the DMMF agree; each difference found counts as one disagreeing element."""
    if not outcome.elements:
        return 1.0 if not outcome.differences else 0.0
    return max(0.0, 1 - len(outcome.differences) / outcome.elements)


def real_figures(outcomes: list[Outcome]) -> str:
    accepted = [o for o in outcomes if o.prisma_ok]
    relational = [o for o in accepted if not o.mongodb]
    elements = sum(o.elements for o in relational)
    differing = sum(len(o.differences) for o in relational)
    rejected = [o for o in outcomes if not o.prisma_ok]
    lines = [
        f"{len(outcomes)} real schemas: Prisma accepts {len(accepted)}, rejects {len(rejected)}.",
        f"FastBackend compiles {sum(o.ours_ok for o in relational)}/{len(relational)} of the "
        f"relational ones Prisma accepts; refuses {sum(o.refused_on_purpose for o in accepted)}"
        f"/{len(accepted) - len(relational)} MongoDB ones with FB222 alone.",
        f"field-level agreement with the DMMF: {elements - differing}/{elements} elements "
        f"({(1 - differing / elements) if elements else 1:.4f}).",
        f"rejected at Prisma's first error line: {sum(o.first_line_agrees for o in rejected)}"
        f"/{len(rejected)}.",
    ]
    lines += [f"  DISAGREE {o.case.id}: {o.differences[:3] or (o.prisma_lines, o.our_lines)}"
              for o in outcomes if not o.agrees]
    return "\n".join(lines)


def run_real(node: str) -> list[Outcome]:
    """The real public schemas (tests/corpus/prisma/real), through one engine run."""
    cases = load_real_cases()
    oracle = run_oracle(cases, node)
    return [evaluate(case, oracle[case.id]) for case in cases]


def main() -> None:
    node = shutil.which("node")
    assert node is not None, "node is needed"
    print(real_figures(run_real(node)))
    outcomes = run_all(node)
    for outcome in outcomes:
        if not outcome.agrees:
            print(f"DISAGREE {outcome.case.id} (engine {outcome.case.engine}): prisma_ok="
                  f"{outcome.prisma_ok} ours_ok={outcome.ours_ok} prisma_lines="
                  f"{outcome.prisma_lines} ours={outcome.our_lines}")
            for line in outcome.differences[:8]:
                print("   ", line)
    print(figures(outcomes))


if __name__ == "__main__":
    main()
