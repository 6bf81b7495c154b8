"""MATRIX_* settings: Matrix is served only with a homeserver, an account and a secret; the
secrets never show in a repr (logs)."""

from __future__ import annotations

from pathlib import Path

from bot.core.config import Settings

BASE = {"MATRIX_HOMESERVER": "https://matrix.exemple.fr",
        "MATRIX_USER_ID": "@assistant:exemple.fr"}


def test_matrix_needs_a_homeserver_an_account_and_a_secret() -> None:
    assert Settings.from_env({}).matrix is None
    assert Settings.from_env(BASE).matrix is None
    with_password = Settings.from_env({**BASE, "MATRIX_PASSWORD": "s3cret-mot-de-passe"}).matrix
    assert with_password is not None and with_password.access_token is None
    matrix = Settings.from_env({**BASE, "MATRIX_ACCESS_TOKEN": "syt_jeton_secret",
                                "MATRIX_STORE_DIR": "/var/lib/assistant/matrix",
                                "MATRIX_ADMIN_IDS": "@a:exemple.fr, @b:exemple.fr,"}).matrix
    assert matrix is not None and matrix.store_dir == Path("/var/lib/assistant/matrix")
    assert matrix.admin_ids == {"@a:exemple.fr", "@b:exemple.fr"}


def test_secrets_are_masked_in_the_repr() -> None:
    settings = Settings.from_env({**BASE, "MATRIX_ACCESS_TOKEN": "syt_jeton_secret",
                                  "MATRIX_PASSWORD": "s3cret-mot-de-passe"})
    shown = repr(settings)
    assert "@assistant:exemple.fr" in shown
    assert "syt_jeton_secret" not in shown and "s3cret-mot-de-passe" not in shown
