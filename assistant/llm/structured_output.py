"""Whether to ask a model for structured output (a JSON schema), and what a refusal means.

``settings.structured_output``: "markers" never asks for a schema; "json_schema" always does,
and a server's refusal is a failure; "auto" asks until the server refuses once, and from then on
that model (the opened client: ``ChatModel.schema_refused``) is asked for prose instead.
"""

from assistant.errors import StructuredOutputUnsupported
from assistant.llm.types import ChatModel
from assistant.settings import LLMSettings


def wants_schema(model: ChatModel, settings: LLMSettings) -> bool:
    if settings.structured_output != "auto":
        return settings.structured_output == "json_schema"
    return not model.schema_refused


def schema_refused(
    model: ChatModel, settings: LLMSettings, error: StructuredOutputUnsupported
) -> None:
    """Remember that ``model`` refused a schema, so the caller may ask again without one; raise
    ``error`` when the settings insist on the schema."""
    if settings.structured_output == "json_schema":
        raise error
    model.schema_refused = True
