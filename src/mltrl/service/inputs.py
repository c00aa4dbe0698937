"""Validation of what users type: keys, codes, refs, versions, times, actors.

Each check raises :class:`~mltrl.errors.BadInput` with a one-line message that
names the field, so every entry point (CLI, Python API) refuses bad input the
same way before anything is written.
"""

from __future__ import annotations

import getpass
import os
import re
from datetime import UTC, datetime, timedelta

from mltrl.domain.model import ComponentKind, SwitchbackKind, VersionKind
from mltrl.errors import BadInput

# Matched with fullmatch: "$" would also accept a trailing newline ("p1\n" beside "p1"), and "\d"
# would accept any Unicode digit (Arabic-Indic ones); the ASCII classes below say exactly what is allowed.
PROJECT_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")
COMPONENT_CODE = re.compile(r"[0-9]{1,4}(\.[0-9]{1,4}){0,3}")
SHA256 = re.compile(r"[0-9a-f]{64}")
#: Clocks differ between machines; accept a little skew before calling a time "in the future".
CLOCK_SKEW = timedelta(minutes=5)
ENV_ACTOR = "MLTRL_ACTOR"


def project_key(value: str, field: str = "project key") -> str:
    if not PROJECT_KEY.fullmatch(value or ""):
        raise BadInput(
            f"{field} {value!r} is not valid: start with a letter, then letters, digits, '-' or '_' "
            "(at most 64)"
        )
    return value


def component_code(value: str) -> str:
    if not COMPONENT_CODE.fullmatch(value or ""):
        raise BadInput(
            f"component code {value!r} is not valid: use numbers separated by dots, like 1.1 or 4.2"
        )
    return value


def parse_ref(ref: str) -> tuple[str, str]:
    """``PROJECT/CODE`` -> (project key, component code)."""
    project, sep, code = (ref or "").partition("/")
    if not sep:
        raise BadInput(f"{ref!r} is not a component reference; write PROJECT/CODE, e.g. neuropath/1.1")
    return project_key(project), component_code(code)


def choice(enum: type, value: object, field: str) -> object:
    try:
        return enum(str(value))
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise BadInput(f"{field}: {value!r} is not one of {allowed}") from None


def component_kind(value: object) -> ComponentKind:
    return choice(ComponentKind, value, "component kind")  # type: ignore[return-value]


def version_kind(value: object) -> VersionKind:
    return choice(VersionKind, value, "version kind")  # type: ignore[return-value]


def switchback_kind(value: object | None) -> SwitchbackKind | None:
    return None if value is None else choice(SwitchbackKind, value, "switchback kind")  # type: ignore[return-value]


#: Longest version label (the column holds 100): room for a 64-character digest or a long tag.
VERSION_LIMIT = 100


def version_label(value: str | int, field: str = "version") -> str:
    """A version as given: a semantic version (``1.4.0``, ``2.0.0-rc.1``) or any other one-word label
    (``v1.1``, MLflow's ``3``, a git SHA); see :mod:`mltrl.domain.versions` for how they order.

    Whitespace and control characters are refused: a label is one word, printed and compared as is.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # MLflow's registered-model versions are integers
    if not isinstance(value, str) or not value:
        raise BadInput(f"{field} {value!r} is not a version label (e.g. 1.4.0, v1.1, 3 or a git SHA)")
    if len(value) > VERSION_LIMIT:
        raise BadInput(f"{field} {_short(value)} is longer than {VERSION_LIMIT} characters")
    bad = next((c for c in value if c.isspace() or not c.isprintable() or _CONTROLS.match(c)), None)
    if bad is not None:
        raise BadInput(
            f"{field} {_short(value)} holds {bad!r}; a version is one word without spaces or control "
            "characters"
        )
    return value


def version_clash(version: str, existing: list[str]) -> str | None:
    """The existing version ``version`` may not be registered beside (itself, or the same semantic
    version but for build metadata: with ``1.0.0+b1`` and ``1.0.0+b2`` no version would be current)."""
    from mltrl.domain import versions

    return versions.clash(version, existing)


def redact_url(url: str) -> str:
    """A URL fit to print and store: scheme and host, then a fingerprint instead of the rest.

    Webhook URLs carry their secret anywhere: ``user:password@``, a ``?token=``, or the path
    itself (Slack's ``/services/T0/B0/XXXX``). So only the scheme, host and port are shown; the
    fingerprint (the first 8 hex digits of the URL's sha256) tells two endpoints apart without
    revealing either.
    """
    import hashlib
    from urllib.parse import urlsplit

    fingerprint = hashlib.sha256(url.encode()).hexdigest()[:8]
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return f"<malformed URL #{fingerprint}>"
    if not parts.scheme or not host:
        return f"<URL #{fingerprint}>"
    host = f"[{host}]" if ":" in host else host
    user = "***@" if "@" in parts.netloc else ""
    rest = "/..." if parts.path.strip("/") or parts.query or parts.fragment else ""
    return f"{parts.scheme}://{user}{host}{port}{rest} #{fingerprint}"


def sha256(value: str) -> str:
    lowered = (value or "").lower()
    if not SHA256.fullmatch(lowered):
        raise BadInput(f"sha256 {value!r} is not 64 hexadecimal characters")
    return lowered


# Controls have no business in names or notes: an escape sequence would be obeyed by the terminal
# of whoever reads it, a bidirectional override would reorder what a line seems to say.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile("[\r\n\u2028\u2029\x85]")


def text(
    value: str | None, field: str, *, required: bool = False, limit: int = 200, multiline: bool | None = None
) -> str:
    """Trimmed user text. Names, people and other short fields (``limit`` up to 500) are one line;
    longer ones (notes, reasons, descriptions) may span lines. No field may hold control characters.
    """
    # The common case, checked in C: no control, format or line-break character can be in a
    # printable string (str.isprintable), so the searches below would find nothing.
    if (
        type(value) is str
        and value.isprintable()
        and len(value) <= limit
        and (value or not required)
        and (not value or (value[0] != " " and value[-1] != " "))
    ):
        return value
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise BadInput(f"{field} must not be empty")
    if len(cleaned) > limit:
        raise BadInput(f"{field} is longer than {limit} characters")
    bad = _CONTROLS.search(cleaned)
    if bad is None and not (limit > 500 if multiline is None else multiline):
        bad = _LINE_BREAKS.search(cleaned)
    if bad is not None:
        raise BadInput(f"{field} {_short(cleaned)} holds a control character ({bad.group()!r}); remove it")
    return cleaned


def _short(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:37] + "...")


def actor(value: str | None) -> str:
    """Who makes a change: the given name, else ``$MLTRL_ACTOR``, else the OS user; one printable line."""
    return text(value, "actor") or text(default_actor(), f"actor (from ${ENV_ACTOR} or the OS user)")


def now() -> datetime:
    return datetime.now(UTC)


def moment(value: datetime | str | None, field: str = "--at") -> datetime:
    """When a change happened: now by default; naive times are UTC; never in the future."""
    if value is None:
        return now()
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise BadInput(f"{field}: {value!r} is not an ISO 8601 time like 2026-03-01T09:30:00Z") from None
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if value > now() + CLOCK_SKEW:
        raise BadInput(f"{field}: {value.isoformat()} is in the future")
    return value


def default_actor() -> str:
    actor = os.environ.get(ENV_ACTOR)
    if actor:
        return actor
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, e.g. in some containers
        return "unknown"


def metric_pairs(given: list[str], flag: str) -> dict[str, str]:
    """``METRIC=VALUE`` options as a mapping; names and values are checked where they are used."""
    pairs = {}
    for text in given:
        name, sep, value = text.partition("=")
        if not sep or not name.strip():
            raise BadInput(f"{flag} {text!r}: write METRIC=VALUE, e.g. {flag} f1=0.8")
        pairs[name.strip()] = value.strip()
    return pairs
