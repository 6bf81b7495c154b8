"""bot.reminders."""
