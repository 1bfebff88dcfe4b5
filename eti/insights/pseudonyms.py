"""Conversation ids as salted hashes: the events can be joined by conversation, never traced back.

The salt is 32 random bytes in a file under the data dir (``insights.salt``, mode 0600), made once by
whichever process needs it first; every worker on the data dir reads the same one. It is never
logged. Deleting it makes every stored hash unlinkable to new ones.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path


def load_salt(path: Path) -> bytes:
    """The salt at ``path``, created (atomically: written aside, then linked into place) if missing."""
    if path.exists():
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, secrets.token_hex(32).encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)  # fails if another worker got there first: then theirs is the salt
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return bytes.fromhex(path.read_text(encoding="ascii").strip())


class Pseudonyms:
    """``pseudonyms.conversation(cid)`` -> a 32-hex-digit keyed hash of the conversation id."""

    def __init__(self, salt: bytes):
        self._salt = salt

    def __repr__(self) -> str:  # the salt never appears in a log line or a traceback's locals
        return "Pseudonyms(<salt>)"

    def conversation(self, conversation_id: str) -> str:
        return hmac.new(self._salt, conversation_id.encode(), hashlib.sha256).hexdigest()[:32]
