"""bot.privacy.erasure.erasure."""
