"""Conversation store: conversations, messages with their evidence, feedback (SQLAlchemy)."""

from guidebot.errors import NotFoundError
from guidebot.store.store import ConversationStore

__all__ = ["ConversationStore", "NotFoundError"]
