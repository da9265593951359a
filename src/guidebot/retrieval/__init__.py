"""Retrieval: language detection and hybrid (dense + BM25) search fused by reciprocal rank."""
