"""Which chat model the settings ask for, opened for one session.

``open_model`` yields the model (``None`` in evidence mode: answers are the retrieved passages,
with no generation), starting and later stopping llama.cpp's server for the 'local' backend.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

from assistant.errors import ConfigError, LLMError
from assistant.llm.client import OpenAIChatModel
from assistant.llm.local import LocalServer
from assistant.llm.types import ChatModel
from assistant.settings import DEFAULT_OPENAI_MODEL, LLMSettings

OPENAI_URL = "https://api.openai.com/v1"


@asynccontextmanager
async def open_model(settings: LLMSettings) -> AsyncIterator[ChatModel | None]:
    backend = settings.active_backend()
    if backend == "none":
        yield None
    elif backend == "local":
        server = LocalServer.from_settings(settings)
        async with server as base_url:
            model = await connect(settings, base_url=base_url, local_model=server.model_alias)
            try:
                yield model
            finally:
                await model.aclose()
    else:
        model = await connect(settings)
        try:
            yield model
        finally:
            await model.aclose()


async def connect(
    settings: LLMSettings, *, base_url: str | None = None, local_model: str | None = None
) -> OpenAIChatModel:
    """The client for the configured server, or for a local one at ``base_url`` serving
    ``local_model``; the model is asked of the server when nothing names it."""
    model = chat_model(settings, base_url=base_url, local_model=local_model)
    if not model.info.model:
        offered = await model.list_models()
        if not offered:
            await model.aclose()
            raise LLMError(
                f"{model.info.base_url} lists no models",
                hint="set CITEWISE_LLM__MODEL to the model the server serves",
            )
        model.use_model(offered[0])
    return model


def chat_model(
    settings: LLMSettings, *, base_url: str | None = None, local_model: str | None = None
) -> OpenAIChatModel:
    """The client, without asking anything of the server (its model may still be unknown: '')."""
    url = base_url or server_url(settings)
    if is_openai(url) and settings.api_key is None:
        raise ConfigError(
            "api.openai.com needs an API key",
            hint="set OPENAI_API_KEY (or CITEWISE_LLM__API_KEY), or OPENAI_BASE_URL to use "
            "another server",
        )
    return OpenAIChatModel(
        base_url=url,
        model=local_model or model_name(settings, url),
        api_key=settings.api_key,
        timeout_s=settings.timeout_s,
        max_retries=settings.max_retries,
        backend="local" if local_model else "openai",
    )


def model_name(settings: LLMSettings, url: str) -> str:
    """The configured model, else OpenAI's default there, else '' (ask the server)."""
    return settings.model or (DEFAULT_OPENAI_MODEL if is_openai(url) else "")


def server_url(settings: LLMSettings) -> str:
    return settings.base_url or OPENAI_URL


def is_openai(url: str) -> bool:
    return urlsplit(url).hostname == "api.openai.com"
