"""Answer, draft and summarize: retrieval + prompt + language model + citations. No UI here."""
