"""Language models: the only package that imports ``openai``; backends, streaming, token budgets."""
