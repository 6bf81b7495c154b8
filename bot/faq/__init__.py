"""bot.faq.entries.entries."""
