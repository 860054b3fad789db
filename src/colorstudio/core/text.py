"""Words for the user, the same in the window and on the command line."""

from __future__ import annotations


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``1 photo``, ``2 photos``, ``0 photos`` (``nouns`` for an irregular plural)."""
    return f"{count} {noun if count == 1 else (nouns or noun + 's')}"



def time_left(seconds: float) -> str:
    """``about 2 min 05 s left``; empty while it is not known (NaN)."""
    if seconds != seconds:
        return ""
    minutes, secs = divmod(int(seconds), 60)
    return f"about {minutes} min {secs:02d} s left" if minutes else f"about {secs} s left"
