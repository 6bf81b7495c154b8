"""bot.broadcast.store.store."""
