"""The desktop application (PySide6). Qt only; the engine lives in ``colorstudio.core``.

No module here imports torch at module level, so the window appears before the engine has loaded.
"""
