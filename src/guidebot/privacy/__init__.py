"""Masking of personal data (Presidio, with Belgian recognisers) before anything is kept."""

from guidebot.privacy.kinds import PLACEHOLDERS
from guidebot.privacy.masking import Finding, Masker, NoMasker, PresidioMasker, load_masker, replace

__all__ = ["PLACEHOLDERS", "Finding", "Masker", "NoMasker", "PresidioMasker", "load_masker", "replace"]
