"""Colorization networks (no Qt): the :class:`ColorNet` contract and the architecture registry."""

from colorstudio.core.models.base import ColorNet, context_input
from colorstudio.core.models.registry import ARCHITECTURES, DEFAULT_ARCH, available, build

__all__ = ["ARCHITECTURES", "DEFAULT_ARCH", "ColorNet", "available", "build", "context_input"]
