"""bot.delivery.errors.errors."""
