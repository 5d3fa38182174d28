"""The installed version of matchwork, read once from the package metadata."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

__all__ = ["VERSION"]

try:
    VERSION = version("matchwork")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    VERSION = "0.0.0"
