"""Booking codes as passwords (contract v3 appointments): a salted, deliberately slow hash, the
same at the central service and the totem, with parameters a totem refuses when they are not
what it runs."""

from __future__ import annotations

import hashlib

import pytest

from kiosk.core.bookings import CodeHash, sha256_hex


def test_the_hash_is_scrypt_over_the_sha256_with_the_days_salt() -> None:
    day = CodeHash(bytes(range(16)))
    expected = hashlib.scrypt(sha256_hex("BOOK-7731-ABCD").encode(), salt=bytes(range(16)),
                              n=day.n, r=day.r, p=day.p, maxmem=64 * 2**20, dklen=32).hex()  # fmt: skip
    assert day.of("BOOK-7731-ABCD") == expected
    # A booking system that sends only the SHA-256 gets the same hash at the central.
    assert day.of_digest(sha256_hex("BOOK-7731-ABCD")) == expected
    assert CodeHash(bytes(16)).of("BOOK-7731-ABCD") != expected  # another day, another salt
    assert CodeHash.parse(day.as_json()) == day


def test_a_guess_costs_a_scrypt_not_a_sha256() -> None:
    """What a kiosk holds is no cheaper to crack than scrypt with megabytes of memory per
    guess (the attacker cracked 25 eight-digit SHA-256 codes in 32 s on one core); the time
    a hash takes is measured by the benchmarks, not here."""
    day = CodeHash(bytes(16))
    assert 128 * day.r * day.n >= 4 * 2**20  # at least 4 MiB of memory per guess
    assert CodeHash.parse(day.as_json()).n == day.n


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ({"scheme": "sha256", "salt": "00" * 16, "n": 8192, "r": 8, "p": 1}, "not scrypt"),
        ({"scheme": "scrypt", "salt": "00" * 2, "n": 8192, "r": 8, "p": 1}, "salt"),
        ({"scheme": "scrypt", "salt": "zz" * 16, "n": 8192, "r": 8, "p": 1}, "salt"),
        ({"scheme": "scrypt", "salt": "00" * 16, "n": 2**20, "r": 8, "p": 1}, "outside"),  # 1 GiB
        ({"scheme": "scrypt", "salt": "00" * 16, "n": 2, "r": 8, "p": 1}, "outside"),  # no cost
        ({"scheme": "scrypt", "salt": "00" * 16, "n": 8192, "r": 8, "p": 4}, "outside"),
        ({"scheme": "scrypt", "salt": "00" * 16, "n": "8192", "r": 8, "p": 1}, "whole numbers"),
        (None, "not scrypt"),
    ],
)
def test_a_hash_a_totem_should_not_run_is_refused(value: object, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        CodeHash.parse(value)
