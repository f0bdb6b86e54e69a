"""The error family the user sees.

Every expected failure is an ``AssistantError`` with a short title and a message a person can act
on. The CLI prints it as one line and exits non-zero; nothing expected ever shows a traceback.
"""


class AssistantError(Exception):
    """A failure the user can do something about."""

    title = "Error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class InputError(AssistantError):
    """A path or file given by the user cannot be used."""

    title = "Input"


class StoreError(AssistantError):
    """The store is missing, locked, corrupt, foreign, or unreachable."""

    title = "Store"


class ModelMismatchError(StoreError):
    """The store was embedded with a different model than the one configured."""

    title = "Embedding model mismatch"


class EmbeddingError(AssistantError):
    """The embedding model could not be loaded or an embeddings endpoint failed."""

    title = "Embeddings"


class IngestStopped(AssistantError):
    """The user stopped an ingest; the papers written so far stay."""

    title = "Stopped"


class ConfigError(AssistantError):
    """Settings are invalid."""

    title = "Configuration"


class LLMError(AssistantError):
    """The language model could not be reached or refused the request."""

    title = "Language model"


class StreamInterrupted(LLMError):
    """The reply stopped midway; what arrived is kept and marked incomplete."""

    title = "Reply interrupted"


class StructuredOutputUnsupported(LLMError):
    """The server does not accept a JSON schema as response format."""

    title = "Structured output"


class TokenBudgetExceeded(LLMError):
    """The session's token cap would be exceeded."""

    title = "Token budget"


class ApiError(AssistantError):
    """A scholarly API (OpenAlex, Crossref, Semantic Scholar, arXiv) gave no usable answer."""

    title = "Scholarly API"

    def __init__(self, api: str, message: str, *, hint: str | None = None) -> None:
        super().__init__(f"{api}: {message}", hint=hint)
        self.api = api


class ApiUnreachable(ApiError):
    """No connection: offline, no route, a name that does not resolve, a refused port."""

    title = "Offline"


class ApiRateLimited(ApiError):
    """The API keeps refusing for too many requests, or asks to wait longer than we will."""

    title = "Rate limited"


class ApiShapeChanged(ApiError):
    """The answer is not what the client expects (a field renamed or gone, a body cut short):
    an error naming the API and the field, never an empty result."""

    title = "API answer changed"

    def __init__(self, api: str, field: str, problem: str) -> None:
        super().__init__(
            api,
            f"the answer's `{field}` {problem}",
            hint="the API changed or the answer was damaged; nothing was written to the library",
        )
        self.field = field


class NetworkDisabled(ApiError):
    """Network use is switched off in the settings."""

    title = "Offline by choice"
