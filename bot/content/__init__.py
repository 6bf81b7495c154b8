"""bot.content.loader.loader."""
