"""bot.programme."""
