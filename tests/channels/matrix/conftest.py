"""One Synapse for the whole test session (tests/support/synapse.py), stopped at the end."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.synapse import Synapse


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synapse]:
    """A real homeserver on 127.0.0.1 (SQLite), started once; stopped even if a test fails."""
    server = Synapse.start(Path(tmp_path_factory.mktemp("synapse")))
    try:
        yield server
    finally:
        server.stop()
