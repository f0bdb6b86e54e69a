"""Papers: the model, one reader per input format, and deduplication."""
