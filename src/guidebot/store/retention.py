"""Retention: conversations are kept ``retention_days`` after their last message, then deleted (audited)."""

from __future__ import annotations

import datetime as dt

from guidebot.store.accounts import AccountStore
from guidebot.store.store import ConversationStore, now


def purge_older_than(store: ConversationStore, accounts: AccountStore, days: int, actor: str = "cli") -> dict[str, int]:
    """Delete what has been untouched for more than ``days`` and record it in the audit log."""
    counts = store.purge(now() - dt.timedelta(days=days))
    accounts.audit(None, "purge", f"older than {days} days", dict(counts), actor=actor)
    return counts
