"""Shared fixtures. `pytest --overwrite` rewrites the rendered-output golden files (torchinfo's
convention); review the diff before committing. Numbers are never taken from these files: they
are checked against Keras's recordings and the seed documents by other tests."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_specs"
GOLDENS = Path(__file__).resolve().parent / "goldens"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--overwrite", action="store_true", help="rewrite rendered-output golden files"
    )


@pytest.fixture
def overwrite(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--overwrite"))
