"""Settings: one object made of nested sections, passed down from the entry point.

Sources, strongest first: keyword arguments (the CLI's flags), ``CITEWISE_*`` environment
variables (``__`` separates sections: ``CITEWISE_STORE__SERVER_URL``), a TOML file
(``$CITEWISE_CONFIG``, else ``~/.config/citewise/config.toml`` when it exists), the standard
``OPENAI_BASE_URL`` and ``OPENAI_API_KEY`` (for ``llm``), then defaults. ``CITEWISE_STORE`` alone
(no section) is the store directory, as the README promises.
"""

import hashlib
import os
import tomllib
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from assistant import paths
from assistant.errors import ConfigError

DEFAULT_OPENAI_MODEL = "gpt-4o-mini"


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StoreSettings(Section):
    path: Path = Field(
        default_factory=paths.default_store_dir,
        description="Directory of the local store (Chroma files, lexical index, sessions).",
    )
    server_url: str | None = Field(
        default=None,
        description="URL of a shared Chroma server, e.g. http://127.0.0.1:8000 (unset: files).",
    )
    collection: str = Field(
        default="citewise",
        description="Chroma collection name: 3-500 letters, digits, '.', '_' or '-', "
        "starting and ending with a letter or digit.",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{1,498}[A-Za-z0-9]$",
    )

    def server_key(self) -> str:
        """A short name for this server and collection, for the local files kept about it."""
        identity = f"{self.server_url}|{self.collection}"
        return hashlib.sha1(identity.encode()).hexdigest()[:16]


class EmbeddingSettings(Section):
    backend: Literal["minilm", "openai"] = Field(
        default="minilm",
        description="'minilm': all-MiniLM-L6-v2 on onnxruntime, offline. "
        "'openai': an OpenAI-compatible /v1/embeddings endpoint.",
    )
    model: str = Field(
        default="all-MiniLM-L6-v2",
        description="Model name; for 'openai' the name the endpoint serves.",
    )
    base_url: str | None = Field(
        default=None, description="Base URL of the embeddings endpoint (backend 'openai')."
    )
    api_key: SecretStr | None = Field(
        default=None, description="Key for the embeddings endpoint (backend 'openai')."
    )
    quantize: bool = Field(
        default=True, description="Use the int8-quantized ONNX graph (faster, same ranking)."
    )
    batch_size: int = Field(default=32, ge=1, le=1024, description="Texts per embedding call.")


class ChunkSettings(Section):
    max_tokens: int = Field(
        default=320,
        ge=32,
        le=2048,
        description="Largest chunk in cl100k tokens; 320 keeps most abstracts in one chunk.",
    )
    overlap_sentences: int = Field(
        default=1, ge=0, le=5, description="Sentences shared by consecutive chunks."
    )
    body_max_tokens: int = Field(
        default=200,
        ge=32,
        le=2048,
        description="Largest chunk of a paper's full text, in cl100k tokens; 200 fits the "
        "embedding model's 256-wordpiece window.",
    )
    max_chunks_per_paper: int | None = Field(
        default=None,
        ge=1,
        description="Keep at most this many chunks of a paper's full text (its first, in reading "
        "order); unset keeps them all.",
    )


class RetrievalSettings(Section):
    k: int = Field(default=10, ge=1, le=1000, description="Papers returned by a search.")
    candidates: int = Field(
        default=100, ge=1, le=5000, description="Chunks each retriever proposes before fusion."
    )
    fusion: Literal["rrf", "convex"] = Field(
        default="convex",
        description="How dense and lexical rankings combine: reciprocal-rank fusion, or the "
        "mean of min-max normalised scores.",
    )
    rrf_k: int = Field(default=60, ge=1, description="Reciprocal-rank-fusion constant.")
    mmr_lambda: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="MMR trade-off (1 = relevance only); unset disables diversity re-ranking.",
    )


class LLMSettings(Section):
    backend: Literal["auto", "openai", "local", "none"] = Field(
        default="auto",
        description="'openai': an OpenAI or OpenAI-compatible server. 'local': start llama.cpp's "
        "server on a GGUF file. 'none': evidence mode (passages, no generation). 'auto': "
        "'openai' when a base URL or key is set, else 'local' when a GGUF path is set, "
        "else 'none'.",
    )
    base_url: str | None = Field(
        default=None,
        description="Base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1 "
        "(unset: api.openai.com). OPENAI_BASE_URL is read when this is unset.",
    )
    api_key: SecretStr | None = Field(
        default=None,
        description="API key for the server. OPENAI_API_KEY is read when this is unset.",
    )
    model: str | None = Field(
        default=None,
        description=f"Chat model name (unset: {DEFAULT_OPENAI_MODEL} on api.openai.com, "
        "else the first model the server lists).",
    )
    timeout_s: float = Field(
        default=120.0, gt=0, description="Seconds to wait for a reply to start or continue."
    )
    max_retries: int = Field(
        default=2,
        ge=0,
        le=10,
        description="Retries, with backoff, after a 429, a 5xx, a timeout or a lost connection; "
        "a Retry-After header sets the wait.",
    )
    context_window: int = Field(
        default=8192, ge=512, description="The model's context window in tokens."
    )
    answer_tokens: int = Field(
        default=1024, ge=16, description="Tokens reserved for the reply (its max_tokens)."
    )
    structured_output: Literal["auto", "json_schema", "markers"] = Field(
        default="auto",
        description="How cited answers are asked for: a JSON schema response format, citation "
        "markers in plain text, or 'auto' (the schema, falling back to markers if refused).",
    )
    price_prompt_per_1k: float | None = Field(
        default=None, ge=0, description="Price per 1000 prompt tokens, for cost estimates."
    )
    price_completion_per_1k: float | None = Field(
        default=None, ge=0, description="Price per 1000 completion tokens, for cost estimates."
    )
    session_token_cap: int | None = Field(
        default=None, ge=1, description="Most tokens one session may spend (unset: no cap)."
    )
    gguf_path: Path | None = Field(
        default=None, description="GGUF model file for the 'local' backend."
    )
    local_port: int = Field(
        default=0, ge=0, le=65535, description="Port of the local server on 127.0.0.1 (0: free)."
    )
    local_ctx: int | None = Field(
        default=None,
        ge=512,
        description="Context size of the local server (unset: context_window).",
    )
    local_startup_timeout_s: float = Field(
        default=120.0, gt=0, description="Seconds to wait for the local server to answer."
    )

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(
                "the base URL (CITEWISE_LLM__BASE_URL or OPENAI_BASE_URL) must start with "
                f"http:// or https://, not {value[:40]!r}"
            )
        return value

    @model_validator(mode="after")
    def _room_for_a_prompt(self) -> "LLMSettings":
        if self.answer_tokens >= self.context_tokens():
            raise ValueError("answer_tokens must be smaller than the context window")
        return self

    def active_backend(self) -> Literal["openai", "local", "none"]:
        """The backend in use, with 'auto' resolved."""
        if self.backend != "auto":
            return self.backend
        if self.base_url or self.api_key:
            return "openai"
        return "local" if self.gguf_path else "none"

    def context_tokens(self) -> int:
        """The context window in force: the local server's when it runs with its own size."""
        if self.local_ctx and self.active_backend() == "local":
            return self.local_ctx
        return self.context_window


class CheckSettings(Section):
    enabled_by_default: bool = Field(
        default=False,
        description="Check every answer, draft and summary (as --check does): each sentence "
        "judged against the abstracts it cites, unsupported ones repaired or dropped.",
    )
    max_rounds: int = Field(
        default=2,
        ge=0,
        le=5,
        description="Repair rounds of a checked generation (0: check only, drop what fails).",
    )
    judge: Literal["offline", "llm-unsure", "llm", "auto"] = Field(
        default="offline",
        description="'offline': embeddings, word overlap and polarity, calibrated on SciFact. "
        "'llm-unsure': the offline judge, and the configured chat model for the sentences it is "
        "unsure of (confidence below unsure_below). 'llm': the model for every sentence. "
        "'auto': 'llm-unsure' when a model is configured, else 'offline'.",
    )
    unsure_below: float = Field(
        default=0.7,
        ge=0.0,
        le=1.0,
        description="An offline verdict with a lower confidence is one the offline judge is "
        "unsure of: 'llm-unsure' sends it to the model.",
    )
    thresholds: Path | None = Field(
        default=None,
        description="Calibration JSON for the offline judge, replacing the shipped one (write "
        "one with evals/calibrate_offline_judge.py, e.g. for another embedding model).",
    )
    suggestions: int = Field(
        default=3,
        ge=0,
        le=20,
        description="Library papers judged per unsupported or uncited sentence, as suggestions.",
    )
    body_passages: int = Field(
        default=3,
        ge=0,
        le=10,
        description="Passages of a cited paper's full text (when its PDF is in the library) read "
        "with its abstract: those that best match the sentence checked (0: abstracts only).",
    )
    batch_size: int = Field(
        default=8, ge=1, le=64, description="Pairs per request to the LLM judge."
    )


class ApiSection(Section):
    """One scholarly API's settings: its root URL must be a web address."""

    @field_validator("base_url", check_fields=False)
    @classmethod
    def _web_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"must start with http:// or https://, not {value[:40]!r}")
        return value.rstrip("/")


class OpenAlexSettings(ApiSection):
    base_url: str = Field(
        default="https://api.openalex.org", description="OpenAlex API root (a mirror, or a test)."
    )
    api_key: SecretStr | None = Field(
        default=None,
        description="OpenAlex API key (free at openalex.org/settings/api; required since "
        "February 2026), sent as the api_key parameter.",
    )
    interval_s: float = Field(
        default=0.1, ge=0, description="Seconds between two requests (OpenAlex allows 100/s)."
    )


class CrossrefSettings(ApiSection):
    base_url: str = Field(default="https://api.crossref.org", description="Crossref REST API root.")
    interval_s: float = Field(
        default=0.2,
        ge=0,
        description="Seconds between two requests (the public pool allows 5/s, the polite "
        "pool, with mailto set, 10/s).",
    )


class SemanticScholarSettings(ApiSection):
    base_url: str = Field(
        default="https://api.semanticscholar.org/graph/v1",
        description="Semantic Scholar Graph API root.",
    )
    api_key: SecretStr | None = Field(
        default=None, description="Semantic Scholar API key, sent as the x-api-key header."
    )
    interval_s: float | None = Field(
        default=None,
        ge=0,
        description="Seconds between two requests (unset: 1 with a key, 3 without: the shared "
        "pool allows 100 requests per 5 minutes).",
    )

    def interval(self) -> float:
        if self.interval_s is not None:
            return self.interval_s
        return 1.0 if self.api_key else 3.0


class ArxivSettings(ApiSection):
    base_url: str = Field(
        default="https://export.arxiv.org/api/query", description="arXiv API query endpoint."
    )
    interval_s: float = Field(
        default=3.0, ge=0, description="Seconds between two requests (arXiv's terms: 3)."
    )


ApiName = Literal["openalex", "crossref", "semanticscholar", "arxiv"]


def _every_api() -> list[ApiName]:
    return ["openalex", "crossref", "semanticscholar", "arxiv"]


class ScholarlySettings(Section):
    network: bool = Field(
        default=True,
        description="Whether citewise may reach the scholarly APIs at all (only `enrich`, "
        "`discover`, `doctor --online` and the two switches below ever do). False: they stop "
        "with a one-line error; answers already cached are still used.",
    )
    mailto: str | None = Field(
        default=None,
        description="Your e-mail address, sent to OpenAlex and Crossref (their polite pool) and "
        "in the User-Agent, so an API operator can reach you instead of blocking you.",
    )
    sources: list[ApiName] = Field(
        default_factory=_every_api,
        description="The APIs `enrich` asks, in order; the first answer that verifies wins.",
    )
    connect_timeout_s: float = Field(
        default=3.0, gt=0, description="Seconds to wait for a connection (offline fails fast)."
    )
    timeout_s: float = Field(
        default=30.0, gt=0, description="Seconds to wait for an answer once connected."
    )
    retries: int = Field(
        default=3,
        ge=0,
        le=10,
        description="Retries after a 429 or 503 (waiting as Retry-After says), a 5xx, a timeout "
        "or an answer cut short, with exponential backoff.",
    )
    backoff_s: float = Field(
        default=1.0, ge=0, description="First backoff wait; it doubles with each retry."
    )
    retry_after_cap_s: float = Field(
        default=60.0,
        ge=0,
        description="Longest Retry-After honoured; an API asking for more is an error.",
    )
    cache_days: float = Field(
        default=30.0,
        ge=0,
        description="How long an answer is reused from the cache (0: never cached).",
    )
    enrich_on_ingest: bool = Field(
        default=False,
        description="Look up missing abstracts and identifiers after every ingest (as "
        "`ingest --enrich`).",
    )
    suggest_in_check: bool = Field(
        default=False,
        description="`check` also searches OpenAlex for papers outside the library that would "
        "support its unsupported sentences.",
    )
    openalex: OpenAlexSettings = Field(
        default_factory=OpenAlexSettings, description="OpenAlex: root URL, key, pace."
    )
    crossref: CrossrefSettings = Field(
        default_factory=CrossrefSettings, description="Crossref: root URL, pace."
    )
    semanticscholar: SemanticScholarSettings = Field(
        default_factory=SemanticScholarSettings,
        description="Semantic Scholar Graph API: root URL, key, pace.",
    )
    arxiv: ArxivSettings = Field(
        default_factory=ArxivSettings, description="arXiv API: query URL, pace."
    )


class Settings(BaseSettings):
    """Everything configurable, in one object."""

    model_config = SettingsConfigDict(
        env_prefix="CITEWISE_",
        env_nested_delimiter="__",
        extra="forbid",
    )

    store: StoreSettings = Field(default_factory=StoreSettings)
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    chunking: ChunkSettings = Field(default_factory=ChunkSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    check: CheckSettings = Field(default_factory=CheckSettings)
    scholarly: ScholarlySettings = Field(default_factory=ScholarlySettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=config_file())
        return (init_settings, _EnvSource(settings_cls), toml, _OpenAIEnvSource(settings_cls))


class _EnvSource(EnvSettingsSource):
    """The standard environment source, plus ``CITEWISE_STORE=DIR`` as the store's path."""

    def prepare_field_value(
        self, field_name: str, field: FieldInfo, value: object, value_is_complex: bool
    ) -> object:
        if field_name == "store" and isinstance(value, str) and not value.lstrip().startswith("{"):
            nested = self.explode_env_vars(field_name, field, self.env_vars)
            return {**nested, "path": value}
        return super().prepare_field_value(field_name, field, value, value_is_complex)


class _OpenAIEnvSource(PydanticBaseSettingsSource):
    """``OPENAI_BASE_URL`` and ``OPENAI_API_KEY``, the weakest source: anything set for
    citewise itself wins."""

    NAMES: ClassVar[dict[str, str]] = {"base_url": "OPENAI_BASE_URL", "api_key": "OPENAI_API_KEY"}

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[object, str, bool]:
        return None, field_name, False  # unused: __call__ reads the two variables directly

    def __call__(self) -> dict[str, object]:
        found = {key: os.environ[name] for key, name in self.NAMES.items() if os.environ.get(name)}
        return {"llm": found} if found else {}


def load_settings(store: dict[str, Any] | None = None) -> Settings:
    """The settings from every source (``store`` overrides the store section's fields); a
    ``ConfigError`` that never quotes what was given when they are invalid."""
    try:
        return Settings(store=store) if store else Settings()
    except ValidationError as error:
        # Without the inputs (and without the cause, which holds them): pydantic quotes the
        # section's whole input for a section-level error, API key included.
        raise ConfigError(f"invalid settings: {_problems(error)}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(
            f"the config file {config_file()} is not valid TOML: {error}",
            hint="fix it, or point CITEWISE_CONFIG at another file",
        ) from None
    except OSError as error:
        raise ConfigError(
            f"the config file {config_file()} cannot be read: {error.strerror}",
            hint="fix it, or point CITEWISE_CONFIG at another file",
        ) from None


def _problems(error: ValidationError) -> str:
    """Each problem as ``section.field: what is wrong``, never the value that was given."""
    return "; ".join(
        f"{'.'.join(str(part) for part in problem['loc'])}: {problem['msg']}"
        for problem in error.errors(include_url=False, include_input=False)
    )


def config_file() -> Path | None:
    env = os.environ.get("CITEWISE_CONFIG")
    if env:
        return Path(env).expanduser()
    default = Path.home() / ".config" / "citewise" / "config.toml"
    return default if default.is_file() else None
