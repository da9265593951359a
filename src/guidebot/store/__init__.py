"""Conversation store: conversations, messages with their evidence, feedback (SQLAlchemy)."""

from guidebot.store.store import ConversationStore, NotFoundError

__all__ = ["ConversationStore", "NotFoundError"]
