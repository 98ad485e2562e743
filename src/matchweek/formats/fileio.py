"""Bytes in and out of files: clear one-line errors on reading, atomic replacement on writing."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import orjson

from matchweek.errors import Fault, FormatError

JSON_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE


def read_bytes(path: str | Path) -> bytes:
    """The whole file; a missing or unreadable file is a FormatError naming it."""
    p = Path(path)
    try:
        return p.read_bytes()
    except FileNotFoundError:
        message = "no such file"
    except IsADirectoryError:
        message = "is a folder, not a file"
    except PermissionError:
        message = "permission denied"
    except OSError as e:
        message = f"cannot be read: {e.strerror or e}"
    raise FormatError(Fault("", message), str(p))


def decode_json(data: bytes | str, source: str | None) -> object:
    """Parse JSON text; anything that is not JSON is one FormatError line."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as e:
        raise FormatError(Fault("", f"not valid JSON: {e}"), source) from None


def encode_json(document: object) -> bytes:
    """Canonical JSON text: keys in the order given, 2-space indent, trailing newline."""
    return orjson.dumps(document, option=JSON_OPTIONS)


def atomic_write(path: str | Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that readers see the old file or the new one, never half.

    The bytes go to a temporary file beside the target, which is then renamed over it.
    """
    target = Path(path)
    temp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    # os.open with 0o666 lets the process umask decide the final permissions, as a plain open would.
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
