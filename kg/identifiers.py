"""Stable slugs for IRIs: the same label always gives the same slug."""

import re
import unicodedata

_APOSTROPHES = re.compile(r"['’ʼ]")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """Lowercase, ASCII, hyphen-separated slug of ``text``; apostrophes join their words.

    >>> slugify("North Korea")
    'north-korea'
    >>> slugify("Côte d’Ivoire") == slugify("Cote d'Ivoire") == "cote-divoire"
    True
    >>> slugify("U.S. & E.U.")
    'u-s-e-u'
    """
    ascii_text = unicodedata.normalize("NFKD", _APOSTROPHES.sub("", text)).encode("ascii", "ignore")
    return _NON_WORD.sub("-", ascii_text.decode("ascii").lower()).strip("-")
