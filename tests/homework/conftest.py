"""The graded term, shared by every test that needs it (built once per run)."""

from __future__ import annotations

import pytest

from .term import Term


@pytest.fixture(scope="session")
def term(tmp_path_factory) -> Term:
    return Term(tmp_path_factory.mktemp("term"))
