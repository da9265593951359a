"""Errors meant for the person at the keyboard.

GuidebotError            base: the command line prints its message and exits non-zero
├── IndexMissingError    no index has been built yet
├── EmbedderMismatchError the index was built with another embedder
├── IndexBusyError       another build holds the lock
├── NothingIndexedError  a build found no document it could load
└── IndexUnavailableError the Chroma server that holds the vectors does not answer (client/server mode)
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
