"""Chunking, embeddings, the Chroma store and the lexical index."""
