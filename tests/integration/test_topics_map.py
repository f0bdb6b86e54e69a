"""The topic map of a real (test) library: Chroma files, the test embedding."""

from assistant.library import Library
from assistant.topics import build_map
from tests.helpers import CORPUS


def test_map_of_a_library(library: Library) -> None:
    library.ingest([CORPUS])
    made = build_map(library)
    assert sum(len(c.paper_ids) for c in made.clusters) == len(made.points) == 12
    assert all(c.label for c in made.clusters)
