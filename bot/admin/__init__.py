"""bot.admin.chat.chat."""
