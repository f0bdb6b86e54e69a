"""Papers outside the library for a sentence the check could not support: an OpenAlex search for
the sentence, keeping works with an abstract that the library does not hold (same keys as
deduplication). The checker judges them like its library suggestions, so only those whose
abstract holds evidence are shown. Used only when ``scholarly.suggest_in_check`` is on."""

from assistant.corpus.dedup import keys
from assistant.corpus.paper import Paper
from assistant.library import Library
from assistant.scholarly.clients import Apis

SEARCHED = 10
"""Search results read per sentence."""


class OutsideSuggester:
    def __init__(self, library: Library, apis: Apis, per_sentence: int = 3) -> None:
        self.apis = apis
        self.per_sentence = per_sentence
        self._owned = {key for paper in library.papers() for key in keys(paper)}

    def __call__(self, sentence: str) -> list[Paper]:
        found = self.apis.openalex.search(sentence, SEARCHED)
        fresh = [
            w.as_paper()
            for w in found
            if w.paper.has_abstract and not self._owned.intersection(keys(w.paper))
        ]
        return fresh[: self.per_sentence]
