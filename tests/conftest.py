"""Test-session set-up shared by every test."""

import os
import sys
from pathlib import Path

# nbgrader runs the `alembic` executable of the environment: put the running
# interpreter's bin/ first on PATH, as `make test` does, so that a bare
# `pytest` works too.
_BIN = str(Path(sys.executable).parent)
if os.environ.get("PATH", "").split(os.pathsep)[0] != _BIN:
    os.environ["PATH"] = _BIN + os.pathsep + os.environ.get("PATH", "")
