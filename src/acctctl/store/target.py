"""What a store target names, and how to print it without its secrets (SPEC §7).

A target is a path, a ``postgresql://`` URL (the scheme in any letter case), or a
libpq keyword string (``host=db dbname=acct password=…``), which psycopg accepts
as well as a URL. Taking a keyword string for a file name would create a file
named after the password, and print it in every message; so it is PostgreSQL.

Redaction hides every parameter whose name looks like a secret — ``password``,
``sslpassword``, ``passfile``, anything with ``pass``, ``secret`` or ``token`` in
its name, percent-encoded or not — in a URL's query, a keyword string, or a URL's
user part. Nothing here imports psycopg.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

_SCHEMES = ("postgresql://", "postgres://")
# Patterns, compiled by ``re`` on first use: a command names a file far more often than
# anything to redact, and compiling the three cost 0.3 ms of every start.
_SECRET_NAME = r"(?i)pass|secret|token"
# A libpq keyword string starts with `keyword =` (libpq allows spaces around `=`).
_KEYWORD_STRING = r"\s*[A-Za-z_][A-Za-z0-9_]*\s*="
# One `keyword = value` pair; a value is a single-quoted string (with \' and \\) or a word.
_PAIR = r"([A-Za-z_][A-Za-z0-9_]*)(\s*=\s*)('(?:[^'\\]|\\.)*'?|\S*)"
HIDDEN = "***"


def is_keyword_string(target: str) -> bool:
    # No "=", no keyword: a plain path never compiles the pattern.
    return "://" not in target and "=" in target and re.match(_KEYWORD_STRING, target) is not None


def is_postgres(target: str) -> bool:
    return target.lower().startswith(_SCHEMES) or is_keyword_string(target)


def for_libpq(target: str) -> str:
    """The target as libpq reads it: libpq knows the URL schemes in lower case only
    (``POSTGRESQL://…`` would be taken for a malformed keyword string)."""
    scheme, found, rest = target.partition("://")
    return f"{scheme.lower()}://{rest}" if found else target


def _is_secret(name: str) -> bool:
    return re.search(_SECRET_NAME, unquote(name)) is not None


def _redact_query(query: str) -> str:
    pieces = []
    for piece in query.split("&"):
        name, equals, _value = piece.partition("=")
        pieces.append(f"{name}={HIDDEN}" if equals and _is_secret(name) else piece)
    return "&".join(pieces)


def _redact_url(url: str) -> str:
    scheme, _found, rest = url.partition("://")
    authority, question, query = rest.partition("?")
    at = authority.rfind("@")  # a password may hold '/' or '@' that were not escaped
    if at >= 0 and ":" in authority[:at]:
        user = authority[:at].split(":", 1)[0]
        authority = f"{user}:{HIDDEN}{authority[at:]}"
    return f"{scheme}://{authority}{question}{_redact_query(query)}"


def _redact_keywords(text: str) -> str:
    def hide(match: re.Match[str]) -> str:
        name, equals, value = match.groups()
        return f"{name}{equals}{HIDDEN}" if _is_secret(name) and value else match.group()

    return re.sub(_PAIR, hide, text)


def redact(target: str) -> str:
    """``target`` safe to print: every secret-like parameter's value is ``***``; a path
    is returned as it is."""
    if "://" in target:
        return _redact_url(target)
    if is_keyword_string(target):
        return _redact_keywords(target)
    return target


def without_secrets(target: str) -> str:
    """``target`` with every secret-like part left out rather than hidden, for a command
    someone will paste (libpq then finds the password where it looks: ~/.pgpass,
    PGPASSWORD); a path is returned as it is."""
    if "://" in target:
        scheme, _found, rest = target.partition("://")
        authority, question, query = rest.partition("?")
        at = authority.rfind("@")
        if at >= 0 and ":" in authority[:at]:
            authority = authority[:at].split(":", 1)[0] + authority[at:]
        kept = [p for p in query.split("&") if p and not _is_secret(p.partition("=")[0])]
        return f"{scheme}://{authority}{question if kept else ''}{'&'.join(kept)}"
    if is_keyword_string(target):
        return " ".join(m.group() for m in re.finditer(_PAIR, target) if not _is_secret(m.group(1)))
    return target


def secret_parts(target: str) -> set[str]:
    """What of ``target`` could be (part of) a secret, to check that a message quoting
    libpq echoes none of it (libpq may quote a malformed URL or keyword string)."""
    found: set[str] = set()
    if "://" in target:
        authority, _question, query = target.partition("://")[2].partition("?")
        userinfo = authority[: max(authority.rfind("@"), 0)]
        if ":" in userinfo:
            raw = userinfo.split(":", 1)[1]
            found.update({raw, unquote(raw), *re.split(r"[/?#:@]", raw)})
        for piece in query.split("&"):
            name, equals, value = piece.partition("=")
            if equals and _is_secret(name):
                found.update({value, unquote(value)})
    else:
        for name, _equals, value in re.findall(_PAIR, target):
            if _is_secret(name):
                found.update({value, value.strip("'")})
    return {secret for secret in found if len(secret) >= 3}
