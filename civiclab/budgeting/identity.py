"""Keyed hashes for eligibility and receipts. Clear identifiers and codes are never stored.

The key of a city is derived from SECRET_KEY and the city's id, so a copy of the database alone cannot
test guesses of identity numbers. Rotating SECRET_KEY during a vote would orphan the census list:
docs/budgeting.md says to upload it again.
"""

import hashlib
import hmac
import secrets
import unicodedata

from django.conf import settings

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: receipts are read aloud and typed


def _key(city_id: int, purpose: str) -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), f"civiclab:{purpose}:{city_id}".encode(), "sha256").digest()


def normalise(identifier: str) -> str:
    """'12345678-z ' and '12345678Z' are the same identity number."""
    text = unicodedata.normalize("NFKC", identifier).upper()
    return "".join(ch for ch in text if ch.isalnum())


def identity_hash(city_id: int, identifier: str) -> str:
    return hmac.new(_key(city_id, "identity"), normalise(identifier).encode(), "sha256").hexdigest()


def letter_hash(city_id: int, code: str) -> str:
    return hmac.new(_key(city_id, "letter"), normalise(code).encode(), "sha256").hexdigest()


def new_code(groups: int = 4) -> str:
    """A code like 7KQM-2XWE-…: 20 random bits per group (4 groups: 80 bits)."""
    return "-".join("".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(4)) for _ in range(groups))


def receipt_hash(receipt: str) -> str:
    """What the published ballot list shows: anyone holding the receipt can find their ballot."""
    return hashlib.sha256(normalise(receipt).encode()).hexdigest()


def receipt_mac(city_id: int, receipt: str) -> str:
    """What the participation register keeps: proves a voter's own receipt, and cannot be turned into the
    receipt_hash of a ballot without the receipt itself."""
    return hmac.new(_key(city_id, "receipt"), normalise(receipt).encode(), "sha256").hexdigest()
