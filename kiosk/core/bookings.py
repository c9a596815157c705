"""Booking codes as passwords: the salted, deliberately slow hash the totem and the central
service agree on (contract v3 appointments).

A booking code reaches the central service raw (or as its SHA-256, from a booking system
that hashes first) and never leaves it so: the central keeps, and gives a kiosk, only
``scrypt(sha256_hex(code), salt)`` with a salt of the branch and day and the parameters below
in the same answer. A kiosk hashes a scanned code the same way, once per scan. Guessing codes
from what a kiosk holds then costs a scrypt per guess per branch and day (8 MiB of memory
each), not a SHA-256. Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

SCHEME = "scrypt"
# About 30 ms and 8 MiB per hash on the 2-core build machine: under the 50 ms a scan may cost.
N, R, P = 2**13, 8, 1
SALT_BYTES = 16
_HEX = re.compile(r"\A[0-9a-f]+\Z", re.ASCII)


def sha256_hex(code: str) -> str:
    """The SHA-256 of a booking code, hex: what a booking system may send instead of it."""
    import hashlib  # here: this module is read on the UI's start, hashlib costs 10 ms there

    return hashlib.sha256(code.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CodeHash:
    """The day's hash of a branch: its salt and scrypt's parameters."""

    salt: bytes
    n: int = N
    r: int = R
    p: int = P

    def of_digest(self, digest: str) -> str:
        """The hash of a code given as its SHA-256 hex."""
        import hashlib

        memory = 128 * self.r * self.n * 2 + 1024 * 1024
        out = hashlib.scrypt(
            digest.encode("ascii"), salt=self.salt, n=self.n, r=self.r, p=self.p,
            maxmem=memory, dklen=32,
        )  # fmt: skip
        return out.hex()

    def of(self, code: str) -> str:
        """The hash of a scanned booking code."""
        return self.of_digest(sha256_hex(code))

    def as_json(self) -> dict[str, Any]:
        return {"scheme": SCHEME, "salt": self.salt.hex(), "n": self.n, "r": self.r, "p": self.p}

    @classmethod
    def parse(cls, value: Any) -> CodeHash:
        """The hash a central's answer describes.

        Raises:
            ValueError: not scrypt, or parameters a totem should not run (too costly, too weak).
        """
        if not isinstance(value, dict) or value.get("scheme") != SCHEME:
            raise ValueError("hash: not scrypt")
        salt = value.get("salt")
        if not (isinstance(salt, str) and 16 <= len(salt) <= 64 and _HEX.match(salt)):
            raise ValueError("hash: salt is not 8 to 32 bytes of hex")
        n, r, p = (value.get(k) for k in ("n", "r", "p"))
        if not (type(n) is int and type(r) is int and type(p) is int):
            raise ValueError("hash: n, r and p must be whole numbers")
        if n not in {2**k for k in range(10, 17)} or not 1 <= r <= 16 or p != 1:
            raise ValueError("hash: n, r or p outside what a totem runs")
        return cls(bytes.fromhex(salt), n, r, p)
