"""CSRF secrets and masks from one read of the system's random source.

Django draws each of the 32 characters of a CSRF secret, and of the mask that ciphers every
token a page carries, with a call of ``secrets.choice``: 64 reads of ``os.urandom`` and as many
rounds of Python for a visitor's page (the largest single cost of serving a kept page to a
visitor, workspace/pagecache.py). Here the same alphabet, the same length and the same uniform
distribution come from one read: a random byte is used only when it lies below the largest
multiple of the alphabet's size (rejection sampling), so no character is likelier than another.
"""

from __future__ import annotations

import os

from django.middleware import csrf

_ALPHABET = csrf.CSRF_ALLOWED_CHARS
_BELOW = 256 - 256 % len(_ALPHABET)


def new_csrf_string() -> str:
    """A string of ``CSRF_SECRET_LENGTH`` characters of ``CSRF_ALLOWED_CHARS``, uniformly."""
    length = csrf.CSRF_SECRET_LENGTH
    chars: list[str] = []
    while len(chars) < length:
        chars += [
            _ALPHABET[byte % len(_ALPHABET)] for byte in os.urandom(length + 8) if byte < _BELOW
        ]
    return "".join(chars[:length])


def install() -> None:
    """Django's csrf module draws its secrets and masks here (AppConfig.ready)."""
    csrf._get_new_csrf_string = new_csrf_string
