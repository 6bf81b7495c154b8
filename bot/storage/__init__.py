"""bot.storage."""
