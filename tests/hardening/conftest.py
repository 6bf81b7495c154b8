"""The hardening tests' end-to-end fixtures: the emulator, the real Application, people
(tests/support/telegram.py)."""

from tests.support.tasks import no_leftover_tasks  # noqa: F401 - autouse fixture
from tests.support.telegram import app, database, emu, handled, person  # noqa: F401 - fixtures
