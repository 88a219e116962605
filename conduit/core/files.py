"""Reading a file a user named: every way it can fail becomes one sentence about that file."""

from __future__ import annotations

from pathlib import Path


class UnreadableFileError(ValueError):
    """A file that cannot be read as text; the message starts with its path."""


def read_text(path: Path, shown: str | None = None) -> str:
    """`path`'s text (UTF-8); `shown` is how messages name it (default: the path)."""
    name = shown or str(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UnreadableFileError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise UnreadableFileError(f"{name}: is a directory, not a file") from None
    except UnicodeDecodeError as error:
        raise UnreadableFileError(
            f"{name}: not UTF-8 text (byte {error.start} is {error.object[error.start]:#04x})"
        ) from None
    except OSError as error:
        raise UnreadableFileError(f"{name}: cannot be read: {error.strerror}") from None
