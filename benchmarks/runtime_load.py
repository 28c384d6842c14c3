"""Load generation for bench_runtime: wrk when installed, else a bounded httpx client."""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx


@dataclass(frozen=True)
class Scenario:
    name: str
    method: str
    path: str  # "{id}" is replaced by a random row id; "{n}" by a request counter
    body: str | None = None
    prefer: str | None = None  # a `Prefer` header sent with each request
    runtime_only: bool = False  # a feature the hand-written app has not: not measured there


@dataclass(frozen=True)
class Result:
    requests_per_second: float
    errors: int
    requests: int = 0  # completed in the run


LUA = """
counter = 0
math.randomseed(os.time())
request = function()
  counter = counter + 1
  local path = string.gsub(wrk.path, "{id}", tostring(math.random(1, %(rows)d)))
  local body = nil
  if %(has_body)s then
    body = string.gsub(%(body)s, "{n}", "%(prefix)s" .. tostring(counter))
  end
  return wrk.format("%(method)s", path, {["Content-Type"] = "application/json"%(prefer)s}, body)
end
"""


def _lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


def run_wrk(base_url: str, scenario: Scenario, rows: int, seconds: float, connections: int,
            prefix: str) -> Result:
    output = wrk_output(base_url, scenario, rows, seconds, connections, prefix)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors:.*", output)
    done = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    return Result(rate, int(errors.group(1)) if errors else 0 + (1 if socket_errors else 0), done)


def wrk_output(base_url: str, scenario: Scenario, rows: int, seconds: float, connections: int,
               prefix: str) -> str:
    """wrk's report of one run of ``scenario``."""
    script = LUA % {"rows": rows, "has_body": "true" if scenario.body else "false",
                    "body": _lua_string(scenario.body or ""), "prefix": prefix,
                    "method": scenario.method,
                    "prefer": (f', ["Prefer"] = {_lua_string(scenario.prefer)}'
                               if scenario.prefer else "")}
    with tempfile.TemporaryDirectory() as folder:
        lua = Path(folder) / "scenario.lua"
        lua.write_text(script)
        output = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "-s", str(lua),
             base_url + scenario.path],
            capture_output=True, text=True, timeout=seconds + 30, check=True).stdout
    return output


async def _httpx_load(base_url: str, scenario: Scenario, rows: int, seconds: float,
                      connections: int, prefix: str) -> Result:
    import random

    done = errors = 0
    counter = 0
    deadline = time.perf_counter() + seconds

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal done, errors, counter
        while time.perf_counter() < deadline:
            counter += 1
            path = scenario.path.replace("{id}", str(random.randint(1, rows)))
            body = scenario.body.replace("{n}", f"{prefix}{counter}") if scenario.body else None
            headers = {"Content-Type": "application/json",
                       **({"Prefer": scenario.prefer} if scenario.prefer else {})}
            response = await client.request(scenario.method, path, content=body,
                                            headers=headers)
            done += 1
            errors += response.status_code >= 400

    limits = httpx.Limits(max_connections=connections)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(connections)))
        elapsed = time.perf_counter() - started
    return Result(done / elapsed, errors, done)


def measure(base_url: str, scenario: Scenario, rows: int, seconds: float, connections: int,
            prefix: str) -> Result:
    if shutil.which("wrk"):
        return run_wrk(base_url, scenario, rows, seconds, connections, prefix)
    return asyncio.run(_httpx_load(base_url, scenario, rows, seconds, connections, prefix))


def load_generator() -> str:
    if shutil.which("wrk"):
        return "wrk"
    # A Python client saturates first: the ceiling then measures the client, not the server.
    return ("httpx fallback: the client is the bottleneck near the ceiling figure, so ratios "
            "understate the runtime; apt-get install wrk for meaningful numbers")
