"""guidebot: cited answers for Smart's members from the guide, the user contract and the annual report."""

__version__ = "0.1.0"
