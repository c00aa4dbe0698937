"""Whether two names typed by people name the same person (until the server's real identities land).

Rules that depend on who someone is, such as "the owner of the work cannot be its only approver",
must not be dodged by writing the name differently: ``zed``, ``ZED``, ``Zed`` in full-width letters
or ``Zed`` with a Cyrillic ``e`` (U+0435) are all ``Zed``. :func:`identity` reduces a name to a
comparison key:

1. Unicode NFKC, which folds compatibility forms (full-width letters, ligatures, superscripts);
2. removal of invisible characters (zero-width spaces and joiners, soft hyphens, BOM);
3. ``casefold`` (the Unicode-aware ``lower``: ``ß`` and ``ss`` compare equal);
4. whitespace runs collapsed to one space;
5. confusables mapped to the Latin letter they imitate: a small table of the Cyrillic and Greek
   letters that look like Latin ones, taken from Unicode's confusables list (UTS #39).

We chose mapping over refusing names that mix scripts: a refusal would have to live at every
place a person is typed, while the mapping keeps the rule in this one pure function, and a name
written wholly in Cyrillic or Greek keeps comparing as itself (only lookalike letters fold).
"""

from __future__ import annotations

import re
import unicodedata

# Applied after casefold, so only lower-case forms are listed: each upper-case lookalike (Cyrillic
# VE, EN, EM, TE, KA; Greek BETA, ETA, MU, NU, TAU, ZETA ...) casefolds to one of these.
_CONFUSABLES = str.maketrans(
    {
        "\u0430": "a",  # cyrillic small letter a
        "\u0432": "b",  # cyrillic small letter ve
        "\u0441": "c",  # cyrillic small letter es
        "\u0501": "d",  # cyrillic small letter komi de
        "\u0435": "e",  # cyrillic small letter ie
        "\u04bb": "h",  # cyrillic small letter shha
        "\u043d": "h",  # cyrillic small letter en
        "\u0456": "i",  # cyrillic small letter byelorussian-ukrainian i
        "\u04cf": "l",  # cyrillic small letter palochka
        "\u0458": "j",  # cyrillic small letter je
        "\u043a": "k",  # cyrillic small letter ka
        "\u043c": "m",  # cyrillic small letter em
        "\u043e": "o",  # cyrillic small letter o
        "\u0440": "p",  # cyrillic small letter er
        "\u051b": "q",  # cyrillic small letter qa
        "\u0455": "s",  # cyrillic small letter dze
        "\u0442": "t",  # cyrillic small letter te
        "\u0443": "y",  # cyrillic small letter u
        "\u051d": "w",  # cyrillic small letter we
        "\u0445": "x",  # cyrillic small letter ha
        "\u03b1": "a",  # greek small letter alpha
        "\u03b2": "b",  # greek small letter beta
        "\u03b5": "e",  # greek small letter epsilon
        "\u03b7": "n",  # greek small letter eta
        "\u03b9": "i",  # greek small letter iota
        "\u03ba": "k",  # greek small letter kappa
        "\u03bc": "m",  # greek small letter mu
        "\u03bd": "v",  # greek small letter nu
        "\u03bf": "o",  # greek small letter omicron
        "\u03c1": "p",  # greek small letter rho
        "\u03c4": "t",  # greek small letter tau
        "\u03c5": "u",  # greek small letter upsilon
        "\u03c7": "x",  # greek small letter chi
        "\u03b6": "z",  # greek small letter zeta
    }
)
# Default-ignorable characters that render as nothing: zero-width space/joiners, word joiner,
# soft hyphen, byte-order mark, and the bidirectional marks.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060-\u2064\ufeff\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"\s+")


def identity(name: str) -> str:
    """The comparison key of a person's name: equal keys mean the same person."""
    folded = _INVISIBLE.sub("", unicodedata.normalize("NFKC", name)).casefold()
    return _SPACES.sub(" ", folded).strip().translate(_CONFUSABLES)


def same_person(one: str, other: str) -> bool:
    """Whether two typed names name the same person (see :func:`identity`)."""
    return identity(one) == identity(other)
