"""Scholarly APIs: OpenAlex, Crossref, Semantic Scholar and arXiv behind one interface of ours,
and what citewise does with them: fill in what the library lacks (``enrich``) and find papers
beyond it (``discover``). Nothing here runs unless the user asks for it."""
