"""Reading an API's JSON field by field, loudly: a field that is missing or of another type than
the client expects raises ``ApiShapeChanged`` naming the API and the field's path
(``results[3].abstract_inverted_index``). A lookup whose answer changed shape is an error the
user sees, never an empty result read as "nothing there" (zotero-mcp #458)."""

from typing import Any

from assistant.errors import ApiShapeChanged

JsonObject = dict[str, Any]
Kinds = type | tuple[type, ...]

_NAMES = {
    dict: "an object",
    list: "a list",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "true or false",
    type(None): "null",
}


def required(api: str, obj: JsonObject, key: str, kinds: Kinds, where: str = "") -> Any:
    """``obj[key]``, which must be there and of ``kinds``."""
    path = _path(where, key)
    if key not in obj:
        raise ApiShapeChanged(api, path, f"is missing (expected {_expected(kinds)})")
    return _checked(api, obj[key], kinds, path)


def nullable(api: str, obj: JsonObject, key: str, kinds: Kinds, where: str = "") -> Any:
    """``obj[key]``, which must be there: of ``kinds``, or null."""
    path = _path(where, key)
    if key not in obj:
        raise ApiShapeChanged(api, path, f"is missing (expected {_expected(kinds)} or null)")
    value = obj[key]
    return None if value is None else _checked(api, value, kinds, path)


def optional(api: str, obj: JsonObject, key: str, kinds: Kinds, where: str = "") -> Any:
    """``obj[key]`` when there and not null (else None); present, it must be of ``kinds``."""
    value = obj.get(key)
    return None if value is None else _checked(api, value, kinds, _path(where, key))


def an_object(api: str, value: Any, where: str) -> JsonObject:
    checked: JsonObject = _checked(api, value, dict, where or "body")
    return checked


def objects(api: str, value: list[Any], where: str) -> list[JsonObject]:
    """The items of a list, each of which must be an object."""
    return [an_object(api, item, f"{where}[{i}]") for i, item in enumerate(value)]


def _checked(api: str, value: Any, kinds: Kinds, path: str) -> Any:
    wanted = kinds if isinstance(kinds, tuple) else (kinds,)
    if isinstance(value, bool) and bool not in wanted:
        wanted = ()  # True is an int to Python, not to an API
    if not isinstance(value, wanted):
        found = _NAMES.get(type(value), type(value).__name__)
        raise ApiShapeChanged(api, path, f"is {found}, not {_expected(kinds)}")
    return value


def _expected(kinds: Kinds) -> str:
    wanted = kinds if isinstance(kinds, tuple) else (kinds,)
    return " or ".join(dict.fromkeys(_NAMES.get(k, k.__name__) for k in wanted))


def _path(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key
