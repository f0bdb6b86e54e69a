"""``citewise doctor`` for the language model: which backend is active, whether it answers, the
model, and what to set to change it."""

from dataclasses import dataclass
from typing import Literal

from assistant.errors import AssistantError
from assistant.llm.backend import chat_model, model_name, server_url
from assistant.llm.client import OpenAIChatModel
from assistant.llm.failures import public_url
from assistant.llm.local import INSTALL, LocalServer
from assistant.settings import LLMSettings

Backend = Literal["openai", "local", "none"]
SHOWN_MODELS = 8

SET_SERVER = "an OpenAI-compatible server: OPENAI_BASE_URL=http://HOST:PORT/v1"
SET_OTHER_SERVER = "another server: CITEWISE_LLM__BASE_URL=http://HOST:PORT/v1"
SET_OPENAI = "OpenAI itself: OPENAI_API_KEY=sk-..."
SET_LOCAL = f"a GGUF model run here: CITEWISE_LLM__GGUF_PATH=/path/model.gguf (needs {INSTALL})"
SET_LOCAL_INSTEAD = (
    "a GGUF model run here: CITEWISE_LLM__BACKEND=local "
    "and CITEWISE_LLM__GGUF_PATH=/path/model.gguf"
)
SET_GGUF = "another model file: CITEWISE_LLM__GGUF_PATH=/path/model.gguf"
SET_MODEL = "another model: CITEWISE_LLM__MODEL=NAME"
SET_KEY = "the key: CITEWISE_LLM__API_KEY (or OPENAI_API_KEY)"
SET_NONE = "evidence mode only (no generation): CITEWISE_LLM__BACKEND=none"
SET_BACKEND = "the choice itself: CITEWISE_LLM__BACKEND=auto, openai, local or none"
SET_CTX = "the local context size: CITEWISE_LLM__LOCAL_CTX=TOKENS"
SET_TOML = "(or the same keys under [llm] in the config file: base_url, model, gguf_path ...)"
CHANGES: dict[Backend, tuple[str, ...]] = {
    "none": (SET_SERVER, SET_OPENAI, SET_LOCAL, SET_TOML),
    "openai": (SET_OTHER_SERVER, SET_MODEL, SET_KEY, SET_LOCAL_INSTEAD, SET_NONE, SET_TOML),
    "local": (SET_GGUF, SET_CTX, SET_OTHER_SERVER, SET_NONE, SET_TOML),
}


@dataclass(frozen=True)
class Diagnosis:
    backend: Backend
    reason: str
    """Why this backend: the setting, or what 'auto' found."""
    model: str | None
    base_url: str | None
    """Without credentials."""
    answers: bool | None
    """None: not checked (evidence mode, or a local server that starts on demand)."""
    models: tuple[str, ...] = ()
    """What the server lists."""
    problem: str | None = None
    change: tuple[str, ...] = ()
    """What to set to change it, one line each."""
    gguf_path: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def lines(self) -> list[str]:
        lines = [f"LLM backend: {self.backend} ({self.reason})"]
        if self.backend == "none":
            lines.append("Answers show the retrieved passages; nothing is generated.")
        if self.gguf_path:
            lines.append(f"Model file: {self.gguf_path}")
        if self.base_url or self.backend == "local":
            where = self.base_url or "127.0.0.1"
            lines.append(f"Server: {where} ({self._state()})")
        if self.models:
            shown = ", ".join(self.models[:SHOWN_MODELS])
            extra = len(self.models) - SHOWN_MODELS
            more = f" and {extra} more" if extra > 0 else ""
            lines.append(f"It offers: {shown}{more}")
        if self.model:
            lines.append(f"Model: {self.model}")
        if self.problem:
            lines.append(f"Problem: {self.problem}")
        lines.append("To change it, set:")
        lines.extend(f"  {line}" for line in self.change)
        return lines

    def _state(self) -> str:
        if self.answers is None:
            return "starts when needed" if self.backend == "local" else "not checked"
        return "answers" if self.answers else "does not answer"


async def diagnose(
    settings: LLMSettings, *, start_local: bool = False, timeout_s: float = 3.0
) -> Diagnosis:
    """Look at the configured backend, asking the server for its models with a short timeout. A
    local server is started (and stopped) only when ``start_local``: loading a model takes a
    while."""
    backend = settings.active_backend()
    reason = _reason(settings)
    change = CHANGES[backend] + ((SET_BACKEND,) if settings.backend != "auto" else ())
    if backend == "none":
        return Diagnosis("none", reason, None, None, None, change=change)
    if backend == "local":
        return await _local(settings, reason, change, start_local, timeout_s)
    url = server_url(settings)
    try:
        model = chat_model(settings)
    except AssistantError as error:
        name = model_name(settings, url)
        return Diagnosis("openai", reason, name, public_url(url), None, (), str(error), change)
    probe = await _probe(model, timeout_s)
    return Diagnosis(
        "openai",
        reason,
        probe.model,
        model.info.base_url,
        probe.answers,
        probe.models,
        probe.problem,
        change,
    )


async def _local(
    settings: LLMSettings, reason: str, change: tuple[str, ...], start: bool, timeout_s: float
) -> Diagnosis:
    server = LocalServer.from_settings(settings)
    name, path = server.model_alias, str(server.gguf_path)
    try:
        server.preflight()
    except AssistantError as error:
        return Diagnosis("local", reason, name, None, None, (), str(error), change, path)
    if not start:
        return Diagnosis("local", reason, name, None, None, (), None, change, path)
    try:
        async with server as base_url:
            model = chat_model(settings, base_url=base_url, local_model=name)
            probe = await _probe(model, timeout_s)
    except AssistantError as error:
        return Diagnosis("local", reason, name, None, False, (), str(error), change, path)
    url = public_url(base_url)
    return Diagnosis(
        "local", reason, probe.model, url, probe.answers, probe.models, probe.problem, change, path
    )


@dataclass(frozen=True)
class _Probe:
    answers: bool
    models: tuple[str, ...]
    model: str | None
    problem: str | None


async def _probe(model: OpenAIChatModel, timeout_s: float) -> _Probe:
    try:
        offered = tuple(await model.ping(timeout_s))
    except AssistantError as error:
        return _Probe(False, (), model.info.model or None, str(error))
    finally:
        await model.aclose()
    name = model.info.model or (offered[0] if offered else None)
    problem = None
    if name is None:
        problem = "the server lists no models; set CITEWISE_LLM__MODEL"
    elif offered and name not in offered:
        problem = f"the server does not list the model {name!r}; set CITEWISE_LLM__MODEL"
    return _Probe(True, offered, name, problem)


def _reason(settings: LLMSettings) -> str:
    if settings.backend != "auto":
        return "set in the settings"
    if settings.base_url:
        return "auto: a base URL is set"
    if settings.api_key:
        return "auto: an API key is set"
    if settings.gguf_path:
        return "auto: a GGUF path is set"
    return "auto: no server, key or GGUF path is set"
