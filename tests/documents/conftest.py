"""The real parameters of the repository, loaded once for the document tests."""

from __future__ import annotations

import pytest

from bot.core.config import ROOT
from bot.programme.params import Parameters, load_parameters


@pytest.fixture(scope="session")
def params() -> Parameters:
    return load_parameters(ROOT / "knowledge")
