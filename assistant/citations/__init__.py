"""Citations: keys, markers, checking and bibliography export."""
