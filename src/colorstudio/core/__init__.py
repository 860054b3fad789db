"""The colorization engine. Nothing in this package imports Qt (tests/core/test_no_qt.py checks it)."""
