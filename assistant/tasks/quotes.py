"""Abstract sentences as quotations: who wrote them, and whether one answers a question on its
own, for evidence mode.

``attribution`` names a paper's authors the way a related-work section does ("Kitaev et al.",
"Gu and Dao", "Vaswani"), or, for a paper without authors, the name its title gives it
("Reformer" of "Reformer: The Efficient Transformer"), else nothing.

``role`` weighs what a sentence does in its abstract, read from its first words and a few
phrases: a finding or a contribution answers a question; background and problem statements
("X remains challenging", "Recently, ...") and sentences that lean on the one before ("As a
result", "To address this", "These models") do not, read alone; a pointer to code never does.
"""

import re

from assistant.corpus.keys import split_name
from assistant.corpus.paper import Paper

NAMED_TITLE_WORDS = 4
"""A title's part before its colon names the paper when it is this many words or fewer."""

_LEANS_BACK = re.compile(
    r"^(?:as a result|to (?:address|tackle|solve|overcome|mitigate|alleviate|remedy|fill|bridge|"
    r"this end|that end|do so|achieve (?:this|that))|in addition|additionally|moreover|"
    r"furthermore|hence|thus|therefore|consequently|besides|nonetheless|nevertheless|but|then|"
    r"finally|first(?:ly)?|second(?:ly)?|third(?:ly)?|lastly|in response to|in contrast|"
    r"on the other hand|instead|meanwhile|similarly|likewise|this|these|"
    r"those|it|they|such|its|their|the (?:former|latter|failure|problem|issue))\b",
    re.IGNORECASE,
)
_BACKGROUND = re.compile(
    r"^(?:however|recently|despite|while|although|in recent years|over the (?:past|last)|"
    r"with the|due to|existing|previous|prior|current|conventional|traditional|"
    r"there (?:is|are|has been|have been))\b"
    r"|\b(?:remains? (?:a |an )?(?:challenge|challenging|open|difficult|unclear|unexplored|"
    r"elusive)|(?:has|have) (?:recently )?(?:attracted|gained|received|emerged|drawn)|"
    r"(?:is|are) (?:a |an )?(?:challenging|fundamental|key|crucial|critical|important|"
    r"promising|popular|increasingly))\b",
    re.IGNORECASE,
)
_POINTER = re.compile(
    r"https?://|github\.com|\b(?:code|models?|data(?:set)?s?) (?:is|are|and [a-z ]+ are|will be) "
    r"(?:publicly |freely )?(?:available|released)",
    re.IGNORECASE,
)
_FINDING = re.compile(
    r"\b(?:we|our (?:results|experiments|analysis|findings|work))\s+(?:\w+ly\s+)?(?:propose|"
    r"introduce|present|develop|design|show|find|demonstrate|observe|reveal|prove|establish)"
    r"|\b(?:achieves?|outperforms?|enables?|reduces?|improves?|yields?|matches)\b",
    re.IGNORECASE,
)

LEANS_BACK, BACKGROUND, POINTER, FINDING = -0.15, -0.12, -0.5, 0.05
"""What each role adds to a sentence's relevance (which runs from about 0 to 1)."""


def attribution(paper: Paper) -> str:
    """Who wrote the paper, as a related-work sentence names them; "" when unknown."""
    families = [split_name(author).family for author in paper.authors[:3]]
    families = [family for family in families if family]
    if len(paper.authors) > 2 and families:
        return f"{families[0]} et al."
    if len(families) == 2:
        return f"{families[0]} and {families[1]}"
    if families:
        return families[0]
    name, colon, _ = paper.title.partition(":")
    return name.strip() if colon and len(name.split()) <= NAMED_TITLE_WORDS else ""


def role(sentence: str) -> float:
    """How much reading ``sentence`` alone helps an answer, as a change to its relevance."""
    text = sentence.strip()
    if _POINTER.search(text) or text.endswith("?"):
        return POINTER
    if _LEANS_BACK.match(text):
        return LEANS_BACK
    if _BACKGROUND.search(text):
        return BACKGROUND
    return FINDING if _FINDING.search(text) else 0.0
