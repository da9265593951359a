"""The HTTP API (FastAPI): chat, feedback, health, and the widget."""

from guidebot.api.app import create_app
from guidebot.api.service import ChatService

__all__ = ["ChatService", "create_app"]
