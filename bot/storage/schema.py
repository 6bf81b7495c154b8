"""The whole database schema, in one place: the tables of every feature and their migrations.

Each feature's store reads and writes its own tables (bot/reminders/store.py…); the schema
they rest on, and the order it was built in, is here, so that the storage owns it alone.
"""

from __future__ import annotations

# Milestones, reminders (rows, never in-memory jobs), chats where reminders are suspended
# (403), the territory each chat gave (bot/reminders/store.py).
REMINDERS = """
CREATE TABLE IF NOT EXISTS milestones (
    id INTEGER PRIMARY KEY,
    chat_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    date TEXT NOT NULL,
    territory TEXT NOT NULL,
    timezone TEXT NOT NULL,
    created_at TEXT NOT NULL,
    cancelled_at TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS milestones_active
    ON milestones(chat_id, kind) WHERE cancelled_at IS NULL;
CREATE TABLE IF NOT EXISTS reminders (
    id INTEGER PRIMARY KEY,
    chat_id INTEGER NOT NULL,
    milestone_id INTEGER NOT NULL REFERENCES milestones(id),
    deadline_kind TEXT NOT NULL,
    deadline_date TEXT NOT NULL,
    days_before INTEGER NOT NULL,
    due_at TEXT NOT NULL,
    timezone TEXT NOT NULL,
    sentence TEXT NOT NULL,
    explanation TEXT NOT NULL,
    citation TEXT NOT NULL,
    text TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent',
        'cancelled', 'failed', 'blocked', 'skipped', 'uncertain')),
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before TEXT,
    claimed_at TEXT,
    last_error TEXT,
    sent_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (milestone_id, deadline_kind, days_before)
);
CREATE INDEX IF NOT EXISTS reminders_pending ON reminders(due_at) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS reminders_chat ON reminders(chat_id, status);
CREATE TABLE IF NOT EXISTS blocked_chats (
    chat_id INTEGER PRIMARY KEY,
    blocked_at TEXT NOT NULL,
    reason TEXT
);
CREATE TABLE IF NOT EXISTS chat_territories (
    chat_id INTEGER PRIMARY KEY,
    territory TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
"""

# Usage events for /stats (bot/storage/events.py).
EVENTS = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    chat_id INTEGER NOT NULL,
    kind TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_at ON events(at);
CREATE INDEX IF NOT EXISTS events_chat ON events(chat_id);
"""

# Subscriptions to announcements, announcements and their deliveries (bot/broadcast/store.py).
BROADCASTS = """
CREATE TABLE IF NOT EXISTS subscriptions (
    chat_id INTEGER PRIMARY KEY,
    subscribed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS broadcasts (
    id INTEGER PRIMARY KEY,
    author_id INTEGER NOT NULL,
    text TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'queued', 'cancelled')),
    created_at TEXT NOT NULL,
    queued_at TEXT
);
CREATE TABLE IF NOT EXISTS broadcast_deliveries (
    id INTEGER PRIMARY KEY,
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts(id),
    chat_id INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent',
        'failed', 'blocked', 'uncertain')),
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before TEXT,
    claimed_at TEXT,
    last_error TEXT,
    sent_at TEXT,
    updated_at TEXT NOT NULL,
    UNIQUE (broadcast_id, chat_id)
);
CREATE INDEX IF NOT EXISTS broadcast_pending ON broadcast_deliveries(id)
    WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS broadcast_chat ON broadcast_deliveries(chat_id);
"""

# What each conversation remembers between messages (bot/faq/talk_store.py).
TALK_CONTEXT = """
CREATE TABLE IF NOT EXISTS talk_context (
    chat_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    context TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (chat_id, user_id)
);
"""

# The next turn of each key (the whole deployment, a group) in integer microseconds of the
# database's clock, the spacing of its turns and how far ahead a burst may take them:
# Telegram's limits shared by every replica (PostgreSQL; SQLite serves one process, which keeps
# them in memory). Short-lived: rows past are purged (bot/privacy/erasure.py).
SEND_SLOTS = """
CREATE TABLE IF NOT EXISTS send_slots (
    key TEXT PRIMARY KEY,
    next_at INTEGER NOT NULL,
    step INTEGER NOT NULL,
    burst INTEGER NOT NULL
);
"""

# The Matrix channel (bot/channels/matrix/): its account's device, the integer that stands for
# each Matrix user and room in every other table (see bot/channels/matrix/identities.py), and
# the numbered options last shown to each member.
MATRIX = """
CREATE TABLE IF NOT EXISTS matrix_account (
    user_id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL,
    access_token TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS matrix_ids (
    n INTEGER PRIMARY KEY AUTOINCREMENT,
    matrix_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('user', 'direct', 'group')),
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS matrix_options (
    chat_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    buttons TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (chat_id, user_id)
);
"""

# Each migration moves the schema from version i to i + 1 (PRAGMA user_version).
MIGRATIONS: list[str] = [
    """
    CREATE TABLE unanswered (
        id INTEGER PRIMARY KEY,
        asked_at TEXT NOT NULL,
        chat_id INTEGER NOT NULL,
        user_id INTEGER NOT NULL,
        question TEXT NOT NULL,
        normalized TEXT NOT NULL,
        band TEXT NOT NULL,
        candidates TEXT NOT NULL,
        outcome TEXT
    );
    CREATE INDEX unanswered_normalized ON unanswered(normalized);
    """,
    """
    CREATE TABLE conversations (
        chat_id INTEGER NOT NULL,
        user_id INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        flow_id TEXT,
        flow_version INTEGER,
        step TEXT,
        answers TEXT NOT NULL,
        history TEXT NOT NULL,
        editing INTEGER NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (chat_id, user_id)
    );
    """,
    """
    CREATE TABLE chats (
        chat_id INTEGER PRIMARY KEY,
        active INTEGER NOT NULL,
        reason TEXT,
        updated_at TEXT NOT NULL
    );
    """,
    # 4: milestones, reminders (rows, never in-memory jobs), chats where reminders are
    # suspended (403), the territory each chat gave (bot/reminders/store.py).
    REMINDERS,
    # 5: what the operator decided about an unanswered question (bot/faq/review.py):
    # NULL (to review), "attached:<entry id>" or "ignored".
    """
    ALTER TABLE unanswered ADD COLUMN review TEXT;
    """,
    # 6: usage events for /stats (bot/storage/events.py); subscriptions to announcements,
    # announcements and their deliveries (bot/broadcast/store.py).
    EVENTS + BROADCASTS,
    # 7: what each conversation remembers between messages (bot/faq/talk_store.py).
    TALK_CONTEXT,
    # 8: Telegram's limits shared by replicas (Database.reserve).
    SEND_SLOTS,
    # 9: the Matrix channel's account, identities and last options.
    MATRIX,
]
