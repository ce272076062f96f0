"""JSON reading and writing: orjson when installed, the standard library otherwise."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import InstanceError

try:  # orjson is optional; it is about 5x faster on large instances
    import orjson
except ImportError:  # pragma: no cover - exercised only without orjson
    orjson = None

__all__ = ["dumps", "load_path", "loads"]


def loads(text: bytes | str, *, what: str = "input") -> Any:
    """Parse JSON text, raising InstanceError with a one-line message."""
    try:
        if orjson is not None:
            return orjson.loads(text)
        return json.loads(text)
    except ValueError as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise InstanceError(f"{what}: not valid JSON ({message})") from None


def load_path(path: str | Path, *, what: str | None = None) -> Any:
    """Read and parse a JSON file; a missing file is an InstanceError too."""
    label = what or str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise InstanceError(f"{label}: cannot read file ({error.strerror})") from None
    return loads(data, what=label)


def dumps(data: Any, *, indent: bool = False) -> bytes:
    """Serialise to UTF-8 JSON bytes (keys keep their insertion order)."""
    if orjson is not None:
        option = orjson.OPT_INDENT_2 if indent else 0
        return orjson.dumps(data, option=option)
    text = json.dumps(data, indent=2 if indent else None, ensure_ascii=False)
    return text.encode("utf-8")
