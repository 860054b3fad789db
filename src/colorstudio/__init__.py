"""colorstudio: colorize old black-and-white photographs on your own computer."""

__version__ = "0.1.0"
