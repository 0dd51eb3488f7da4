"""Pass tokens: random, shown once, stored only as a hash, looked up by that hash."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 24  # 192 random bits
MAX_TOKEN_LENGTH = 128


def new_token() -> str:
    """Return a fresh token for a link."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """Return the hash kept in storage; a random token of 192 bits needs no salt or stretching."""
    return hashlib.sha256(token.encode()).hexdigest()


def lookup_hash(token: str) -> str | None:
    """The hash a link's token is looked up by, or None for a token no link can have (empty, too long).

    Looking the SHA-256 up in a dict leaks nothing through timing: the hash of a 192-bit random token
    cannot be steered by whoever guesses.
    """
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return hash_token(token)
