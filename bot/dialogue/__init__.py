"""bot.dialogue."""
