"""Colorization networks (no Qt): the :class:`RuntimeModel` interface that runs them, the :class:`ColorNet`
contract of the PyTorch ones, and the architecture registry."""

from colorstudio.core.models.base import ColorNet, context_input
from colorstudio.core.models.registry import ARCHITECTURES, DEFAULT_ARCH, available, build
from colorstudio.core.models.runtime import RuntimeModel

__all__ = ["ARCHITECTURES", "DEFAULT_ARCH", "ColorNet", "RuntimeModel", "available", "build", "context_input"]
