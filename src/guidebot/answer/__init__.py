"""Answers: the refusal gate, the answer writers (extractive, LLM) and the citation check."""
