"""The end-to-end fixtures of tests/telegram: the emulator, the real Application, people."""

from tests.telegram.conftest import (  # noqa: F401 - fixtures
    app,
    database,
    emu,
    handled,
    no_leftover_tasks,
    person,
)
