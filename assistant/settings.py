"""Settings: one object made of nested sections, passed down from the entry point.

Sources, strongest first: keyword arguments (the CLI's flags), ``CITEWISE_*`` environment
variables (``__`` separates sections: ``CITEWISE_STORE__SERVER_URL``), a TOML file
(``$CITEWISE_CONFIG``, else ``~/.config/citewise/config.toml`` when it exists), then defaults.
``CITEWISE_STORE`` alone (no section) is the store directory, as the README promises.
"""

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from assistant import paths


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
    collection: str = Field(default="citewise", description="Chroma collection name.")


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


class RetrievalSettings(Section):
    k: int = Field(default=10, ge=1, le=1000, description="Papers returned by a search.")
    candidates: int = Field(
        default=100, ge=1, le=5000, description="Chunks each retriever proposes before fusion."
    )
    fusion: Literal["rrf", "convex"] = Field(
        default="rrf",
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
        return (init_settings, _EnvSource(settings_cls), toml)


class _EnvSource(EnvSettingsSource):
    """The standard environment source, plus ``CITEWISE_STORE=DIR`` as the store's path."""

    def prepare_field_value(
        self, field_name: str, field: FieldInfo, value: object, value_is_complex: bool
    ) -> object:
        if field_name == "store" and isinstance(value, str) and not value.lstrip().startswith("{"):
            nested = self.explode_env_vars(field_name, field, self.env_vars)
            return {**nested, "path": value}
        return super().prepare_field_value(field_name, field, value, value_is_complex)


def config_file() -> Path | None:
    env = os.environ.get("CITEWISE_CONFIG")
    if env:
        return Path(env).expanduser()
    default = Path.home() / ".config" / "citewise" / "config.toml"
    return default if default.is_file() else None
