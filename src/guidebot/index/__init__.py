"""Index: embedders, the Chroma vector collection, BM25, the manifest and incremental builds."""
