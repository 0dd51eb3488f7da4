"""Pass tokens: random, shown once, stored only as a hash, checked in constant time."""

from __future__ import annotations

from collections.abc import Iterable
import hashlib
import hmac
import secrets

TOKEN_BYTES = 24  # 192 random bits
MAX_TOKEN_LENGTH = 128


def new_token() -> str:
    """Return a fresh token for a link."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """Return the hash kept in storage; a random token of 192 bits needs no salt or stretching."""
    return hashlib.sha256(token.encode()).hexdigest()


def find_by_token[T](token: str, candidates: Iterable[tuple[str, T]]) -> T | None:
    """Return the candidate whose hash matches the token.

    Every candidate is compared, with a constant-time comparison, whether or not one matched earlier,
    so the time taken says nothing about which pass (or which part of a token) was close.
    """
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    digest = hash_token(token)
    found: T | None = None
    for token_hash, candidate in candidates:
        if hmac.compare_digest(digest, token_hash):
            found = candidate
    return found
