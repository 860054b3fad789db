"""Name -> architecture table, filled by explicit imports.

No folder scanning or entry points: a PyInstaller bundle only contains the modules it saw
imported, so every architecture is imported here by name.
"""

from __future__ import annotations

import inspect
from typing import Any

from colorstudio.core.errors import ModelLoadError
from colorstudio.core.models.base import ColorNet
from colorstudio.core.models.seeds import SeedCNN, SeedResNet18, SeedVGG
from colorstudio.core.models.unet_lite import UNetLite0, UNetLite2

DEFAULT_ARCH = "unet-lite0"

ARCHITECTURES: dict[str, type[ColorNet]] = {
    cls.arch: cls for cls in (UNetLite0, UNetLite2, SeedResNet18, SeedCNN, SeedVGG)
}


def available() -> list[str]:
    """Registered architecture names, the default first."""
    return sorted(ARCHITECTURES, key=lambda name: (name != DEFAULT_ARCH, name))


def settings_of(arch: str) -> list[str]:
    """The keyword settings ``build(arch, ...)`` accepts."""
    params = inspect.signature(_lookup(arch).__init__).parameters.values()
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return [p.name for p in params if p.name != "self" and p.kind in kinds]


def _lookup(arch: str) -> type[ColorNet]:
    try:
        return ARCHITECTURES[arch]
    except (KeyError, TypeError):
        raise ModelLoadError(
            f"Unknown model architecture {arch!r}; this version of colorstudio knows: {', '.join(available())}."
        ) from None


def build(arch: str, **config: Any) -> ColorNet:
    """A fresh model of ``arch``; unknown architectures and settings raise :class:`ModelLoadError`."""
    cls = _lookup(arch)
    unknown = sorted(set(config) - set(settings_of(arch)))
    if unknown:
        raise ModelLoadError(
            f"Architecture {arch!r} has no setting(s) {', '.join(unknown)}; "
            f"it accepts: {', '.join(settings_of(arch)) or 'none'}."
        )
    try:
        return cls(**config)
    except (TypeError, ValueError) as exc:
        raise ModelLoadError(f"Invalid settings for architecture {arch!r}: {exc}") from exc
