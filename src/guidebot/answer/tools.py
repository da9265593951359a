"""Which of Smart's two tools a question is about: named in it, or else the one its cited sources are about."""

from __future__ import annotations

import re
from collections import Counter

from guidebot.answer.citations import Citation
from guidebot.documents import NAMED_TOOLS
from guidebot.retrieval.search import Passage

_TOOL_3EN1 = re.compile(r"\b3\s*-?\s*(en|in)\s*-?\s*(1|un|één|een|one)\b", re.IGNORECASE)
# "activité" is also an ordinary word: only the tool's name (capitalised, or after "outil"/"tool") counts
_TOOL_ACTIVITE = re.compile(r"\b(?:[Oo]util|[Tt]ool)\s+[Aa]ctivit[ée]|\bActivit[ée]\b")


def question_tool(text: str, passages: list[Passage], citations: list[Citation]) -> str | None:
    """The tool named in ``text``, or else the one most of the cited passages are about."""
    if _TOOL_3EN1.search(text):
        return "3en1"
    if _TOOL_ACTIVITE.search(text):
        return "activite"
    cited = {c.chunk_id for c in citations}
    tools = Counter(p.chunk.tool for p in passages if p.chunk.id in cited and p.chunk.tool in NAMED_TOOLS)
    return tools.most_common(1)[0][0] if tools else None
