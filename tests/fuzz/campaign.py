"""A fuzzing campaign: mutants of one front-end's corpus through the real CLI, judged by an oracle.

The oracle (issue #27): `fastbackend compile` exits 0 or 3; never a traceback, a signal, a hang
or an internal-error code (FB100, FB006); every diagnostic names a file that exists, a line of
it and a column on that line; an exit 3 has an error; a sample of the IRs that compile starts
the runtime (FastAPI on SQLite) and answers /healthz and a list route with 200.

    python -m tests.fuzz.campaign prisma --count 2000 --seconds 1800 --large
    python -m tests.fuzz.campaign sqlalchemy --only 17      # one mutant again, kept in --keep
"""

from __future__ import annotations

import argparse
import json
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from fastbackend.codes import CODES
from tests.fuzz.mutate import FRONT_ENDS, FrontEnd, Mutant, line_at, line_count, mutant

# No single compile of a mutant takes a tenth of this on a loaded machine; past it, a hang.
HANG = 120.0
INTERNAL = ("FB100", "FB006")
_DIAGNOSTIC = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<column>\d+): "
                         r"(?P<severity>error|warning|note) (?P<code>FB\d{3}): ", re.MULTILINE)
_IGNORE = shutil.ignore_patterns(".fastbackend", "__pycache__", "migrations")
# Runtime failures known and reported elsewhere, by a text of their traceback: counted and
# listed apart, so the rest of the oracle keeps guarding (each says where it is tracked).
KNOWN_RUNTIME = {
    "is already defined for this MetaData instance": "single-table inheritance: the FastAPI "
    "runtime builds one Table per entity, and the entities sharing a table collide (found by "
    "this fuzzer; adapters/fastbackend_fastapi/tables.py has no inheritance)",
    "unsupported logical type 'unsupported'": "a primary key whose type the front-end could not "
    "determine (FB104, a warning) compiles, and the runtime's key codec has no Python type for "
    "it (found by this fuzzer; adapters/fastbackend_fastapi/keys.py)",
    "already exists": "two indexes of one name in a Prisma schema without a datasource, where "
    "Prisma checks no constraint namespace (found by this fuzzer; the runtime serves it on SQLite)",
    "sqlite3.OperationalError": "SQL the database cannot run (issue #27 item 9): a raw type "
    "name recorded from an unknown type (FB104), a Computed column's expression as DEFAULT",
}


@dataclass
class Outcome:
    mutant: Mutant
    exit: int | None
    codes: list[str]
    problems: list[str]
    runtime: str | None = None  # "ok", "known", "failed"; None when not sampled
    known: str | None = None  # a known runtime failure (KNOWN_RUNTIME)


@dataclass
class Report:
    front_end: FrontEnd
    campaign: int
    outcomes: list[Outcome] = field(default_factory=list)
    stopped_by_time: bool = False
    seconds: float = 0.0

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.problems]

    def summary(self) -> str:
        exits = Counter(o.exit for o in self.outcomes)
        codes = Counter(c for o in self.outcomes for c in set(o.codes))
        started = sum(o.runtime == "ok" for o in self.outcomes)
        known = Counter(o.known for o in self.outcomes if o.known)
        sampled = sum(o.runtime is not None for o in self.outcomes)
        lines = [f"{self.front_end}: {len(self.outcomes)} mutants (campaign {self.campaign}) in "
                 f"{self.seconds:.0f} s{', stopped by the time bound' if self.stopped_by_time else ''}: "
                 f"{exits.get(0, 0)} compiled, {exits.get(3, 0)} refused with diagnostics, "
                 f"{len(self.failures)} failed the oracle; runtime started {started}/{sampled} sampled",
                 "  codes: " + ", ".join(f"{c} {n}" for c, n in sorted(codes.items()))]
        lines += [f"  known runtime failure ({n}x): {reason}" for reason, n in known.items()]
        lines += [f"  FAIL {o.mutant.label}: {'; '.join(o.problems)[-1200:]}" for o in self.failures]
        return "\n".join(lines)


class Worker:
    """One `python -m tests.fuzz.worker` process, restarted after it dies or hangs."""

    def __init__(self, log: Path, command: tuple[str, ...] = ("-m", "tests.fuzz.worker"),
                 hang: float = HANG) -> None:
        self._log = log
        self._command = command
        self._hang = hang
        self._process: subprocess.Popen[str] | None = None
        self._answers: queue.Queue[str | None] = queue.Queue()

    def _start(self) -> subprocess.Popen[str]:
        log: TextIO = self._log.open("a")
        process = subprocess.Popen([sys.executable, *self._command], text=True,
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                                   cwd=Path(__file__).resolve().parents[2])
        log.close()
        self._answers = queue.Queue()
        threading.Thread(target=self._read, args=(process, self._answers), daemon=True).start()
        return process

    @staticmethod
    def _read(process: subprocess.Popen[str], answers: queue.Queue[str | None]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            answers.put(line)
        answers.put(None)  # the process ended

    def ask(self, request: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
        """The answer, or None and why there is none (a signal, an exit, a hang)."""
        if self._process is None or self._process.poll() is not None:
            self._process = self._start()
        assert self._process.stdin is not None
        try:
            self._process.stdin.write(json.dumps(request) + "\n")
            self._process.stdin.flush()
            line = self._answers.get(timeout=self._hang)
        except queue.Empty:
            self.stop()
            return None, f"no answer within {self._hang:.0f} s (a hang)"
        except BrokenPipeError:
            line = None
        if line is None:
            status = self._process.wait(timeout=HANG)
            self.stop()
            how = f"signal {-status}" if status < 0 else f"exit {status}"
            return None, f"the CLI process died: {how}"
        return json.loads(line), None

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            process.kill()
            process.wait(timeout=HANG)
            for pipe in (process.stdin, process.stdout):
                if pipe is not None:
                    pipe.close()


def prepare(item: Mutant, folder: Path) -> Path:
    """The mutant on disk: the seed copied (a file, or its whole project), the target mutated."""
    seed = item.seed
    if seed.root.is_file():
        folder.mkdir(parents=True)
        target = folder / seed.target
    else:
        shutil.copytree(seed.root, folder, ignore=_IGNORE)
        target = folder / seed.target
    target.write_bytes(item.text.encode("utf-8", "surrogateescape"))
    return folder


def judge(item: Mutant, folder: Path, answer: dict[str, Any]) -> Outcome:
    output = answer["stdout"] + answer["stderr"]
    found = list(_DIAGNOSTIC.finditer(answer["stderr"]))
    outcome = Outcome(item, answer["exit"], [m["code"] for m in found], [])
    problems = outcome.problems
    if answer["exception"]:
        problems.append("traceback: " + answer["exception"][-1500:])
    elif "Traceback (most recent call last)" in output:
        problems.append("a traceback in the output: " + output[-1500:])
    if answer["exit"] not in (0, 3):
        problems.append(f"exit {answer['exit']}: {output[-800:]}")
    if answer["exit"] == 3 and not any(m["severity"] == "error" for m in found):
        problems.append(f"exit 3 without an error diagnostic: {output[-800:]}")
    for match in found:
        problems += _position_problems(folder, match)
    runtime = answer.get("runtime")
    if runtime is not None and "skipped" not in runtime:
        known = [reason for text, reason in KNOWN_RUNTIME.items() if text in runtime.get("error", "")]
        outcome.runtime = "failed"
        if known:
            outcome.runtime, outcome.known = "known", known[0]
        elif "error" in runtime:
            problems.append("the runtime did not start: " + runtime["error"][-1500:])
        elif any(status != 200 for status in runtime["statuses"].values()):
            problems.append(f"the runtime answered {runtime['statuses']}")
        else:
            outcome.runtime = "ok"
    return outcome


def _position_problems(folder: Path, match: re.Match[str]) -> list[str]:
    head = match.group(0).strip()
    code, line, column = match["code"], int(match["line"]), int(match["column"])
    problems = []
    if code in INTERNAL:
        problems.append(f"internal error {head}")
    if code not in CODES:
        problems.append(f"undocumented code {head}")
    path = _named(folder, match["file"])
    if path is None:
        return [*problems, f"{head}: no such file"]
    text = path.read_bytes().decode("utf-8", "replace")
    if not 1 <= line <= line_count(text):
        problems.append(f"{head}: the file has {line_count(text)} lines")
    elif not 1 <= column <= len(line_at(text, line)) + 1:
        problems.append(f"{head}: line {line} has {len(line_at(text, line))} characters")
    return problems


def _named(folder: Path, name: str) -> Path | None:
    """The file a diagnostic names: absolute when the mutant is outside the folder the command
    ran in (the CLI shows paths from there: cli/locations.py), else relative to that folder,
    to the one of the schema it names (`schema: app/models.py`, `prisma/schema.prisma`), or to
    a module's import root."""
    for base in [folder, *sorted(p for p in folder.rglob("*") if p.is_dir())]:
        if (base / name).is_file():
            return base / name
    return None


def run(front_end: FrontEnd, campaign: int, count: int, seconds: float, large: bool,
        runtime_sample: int, workdir: Path, only: int | None = None) -> Report:
    """Up to ``count`` mutants, started within ``seconds``; the runtime is started for one
    compiled mutant in ``runtime_sample`` (and for the first few). Failing mutants stay in
    ``workdir`` for a look; the others are removed."""
    report = Report(front_end, campaign)
    worker = Worker(workdir / f"{front_end}-worker.log")
    started = time.monotonic()
    compiled = 0
    try:
        for number in [only] if only is not None else range(count):
            if time.monotonic() - started > seconds:
                report.stopped_by_time = True
                break
            item = mutant(front_end, campaign, number, large)
            folder = prepare(item, workdir / f"{front_end}-{number}")
            sample = compiled < 3 or compiled % runtime_sample == 0
            answer, death = worker.ask({"folder": str(folder), "source": item.seed.source,
                                        "runtime": sample})
            if answer is None:
                outcome = Outcome(item, None, [], [str(death)])
            else:
                outcome = judge(item, folder, answer)
                compiled += answer["exit"] == 0
            report.outcomes.append(outcome)
            if not outcome.problems and only is None:
                shutil.rmtree(folder)
    finally:
        worker.stop()
        report.seconds = time.monotonic() - started
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("front_end", choices=FRONT_ENDS)
    parser.add_argument("--campaign", type=int, default=27, help="the seed of every mutant")
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--large", action="store_true", help="mutate real projects too")
    parser.add_argument("--runtime-sample", type=int, default=10)
    parser.add_argument("--only", type=int, help="run this mutant alone")
    parser.add_argument("--keep", type=Path, help="a folder for the mutants (default: a temporary one)")
    args = parser.parse_args()
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="fastbackend-fuzz-"))
    workdir.mkdir(parents=True, exist_ok=True)
    report = run(args.front_end, args.campaign, args.count, args.seconds, args.large,
                 args.runtime_sample, workdir, args.only)
    print(report.summary())
    print(f"mutants that failed are kept in {workdir}")
    sys.exit(1 if report.failures else 0)


if __name__ == "__main__":
    main()
