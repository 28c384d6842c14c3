"""The same models give the same bytes, whatever the hash seed of the compiling process."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.frontends.sqlalchemy.differential import CORPUS

SCRIPT = """
import sys
from fastbackend.pipeline import compile_path
from fastbackend_ir import dumps, dumps_source_map
_, result = compile_path(sys.argv[1])
sys.stdout.write(dumps(result.ir) + dumps_source_map(result.source_map))
"""


@pytest.mark.parametrize("case", ["split_package", "secondary_variants.py", "python_enums.py"])
def test_output_does_not_depend_on_the_hash_seed(case: str) -> None:
    outputs = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", SCRIPT, str(CORPUS / case)], env=env,
                              capture_output=True, text=True, check=True)
        outputs.add(done.stdout)
    assert len(outputs) == 1
