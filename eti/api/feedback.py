"""``FeedbackStore(path)``: the feedback store over one SQLite file, for callers outside the API (the eval).

The API itself uses the store its ``eti.state`` backend provides (``Runtime.state.feedback``).
"""

from __future__ import annotations

from pathlib import Path

from eti.settings import Settings
from eti.state.sqlite import open_state


def FeedbackStore(path: Path):  # noqa: N802 - kept as the constructor name callers know
    """A SQLite feedback store at ``path``; comments are redacted before they are stored."""
    return open_state(path, Settings()).feedback
