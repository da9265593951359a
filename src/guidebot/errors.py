"""Errors meant for the person at the keyboard, or at the other end of the API.

Every failure guidebot itself raises is one of these; the command line prints its message and exits non-zero,
and the API turns each into its status and code in one table (``api/errors.py``).

GuidebotError
├── IndexMissingError         no index has been built yet
├── EmbedderMismatchError     the index was built with another embedder
├── IndexBusyError            another build holds the lock
├── NothingIndexedError       a build found no document it could load
├── IndexUnavailableError     the Chroma server that holds the vectors does not answer (client/server mode)
├── NotFoundError             an id the store does not know (also a LookupError)
│   ├── ConversationNotFoundError
│   ├── MessageNotFoundError
│   └── GapMarkNotFoundError
├── NotReadyError             the index or the store is still loading (or failed to load)
├── OverloadedError           as many answers as chat_queue allows are computing or waiting
└── EvalRunningError          a console eval run is already under way
"""


class GuidebotError(Exception):
    """A failure with a message a user can act on."""


class IndexMissingError(GuidebotError):
    """No index exists at the configured place."""


class EmbedderMismatchError(GuidebotError):
    """The index on disk was built with a different embedder than the one configured."""


class IndexBusyError(GuidebotError):
    """Another process is building this index."""


class NothingIndexedError(GuidebotError):
    """No document could be loaded, so no index was written."""


class IndexUnavailableError(GuidebotError):
    """The Chroma server holding the served version's vectors is down or does not answer in time."""


class NotFoundError(GuidebotError, LookupError):
    """An unknown id."""


class ConversationNotFoundError(NotFoundError):
    """No conversation has this id."""


class MessageNotFoundError(NotFoundError):
    """No message has this id."""


class GapMarkNotFoundError(NotFoundError):
    """No content-gap mark has this id."""


class NotReadyError(GuidebotError):
    """The index or the store is still loading (or failed to load)."""


class OverloadedError(GuidebotError):
    """As many answers as ``chat_queue`` allows are computing or waiting: refused at once."""


class EvalRunningError(GuidebotError):
    """An eval run started from the console is under way (here or in another worker)."""
