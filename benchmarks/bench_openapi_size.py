"""Size of the emitted OpenAPI document per model, at 10, 100 and 300 models.

The models are bench_sqlalchemy_frontend's generated ones (six columns of several types, an
enum, a foreign key to the previous model and its back reference), compiled. Budget: 20 KB per
model, and linear: the per-model size at 100 and 300 models is printed as a ratio of the one
at 10, measured in the same run (1.00 is perfectly linear). Before the document was reshaped for
client generators, 300 models made 26 MB (about 87 KB per model).
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from benchmarks.bench_sqlalchemy_frontend import generated_models
from fastbackend.pipeline import compile_path
from fastbackend_openapi import emit, to_json, to_yaml

COUNTS = (10, 100, 300)
BUDGET = 20_000  # bytes per model


def sizes(count: int) -> tuple[int, int, int, float]:
    """(openapi.yaml bytes, openapi.json bytes, served JSON bytes, seconds to emit)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "models.py"
        path.write_text(generated_models(count), "utf-8")
        ir = compile_path(path)[1].ir
    started = time.perf_counter()
    document = emit(ir)
    seconds = time.perf_counter() - started
    served = json.dumps(document, separators=(",", ":"))  # what /openapi.json answers
    return (len(to_yaml(document).encode()), len(to_json(document).encode()),
            len(served.encode()), seconds)


def main() -> None:
    baseline: float | None = None
    for count in COUNTS:
        yaml_bytes, json_bytes, served_bytes, seconds = sizes(count)
        per_model = yaml_bytes / count
        baseline = baseline or per_model
        verdict = "within" if per_model <= BUDGET else "OVER"
        print(f"   {count:>3} models: openapi.yaml {yaml_bytes:,} B ({per_model:,.0f} B/model, "
              f"{verdict} the {BUDGET:,} B budget; {per_model / baseline:.2f}x the 10-model "
              f"size per model), openapi.json {json_bytes / count:,.0f} B/model, served "
              f"{served_bytes / count:,.0f} B/model; emit {seconds * 1000:,.0f} ms", flush=True)


if __name__ == "__main__":
    main()
