"""What a webhook request says: its query and form, read as the carrier sends them, and the
public URL it was sent to (what a signature covers).

Forms are split by hand because this runs on every webhook; each distinct short field is split
and unquoted once. A field given twice is refused: the carrier never repeats one, and a
signature does not see the order of repeated values, so a captured request could be reshaped.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import quote, unquote_plus

import bottle

from phonetree_engine.server import MAX_BODY  # the Procfile's server reads no more either

MAX_FIELDS = 200
FORM_TYPES = ("application/x-www-form-urlencoded", "")


def read_params(environ) -> tuple[list, list, bytes]:
    """Parse the query string and a form body as UTF-8, the way the carrier sends them; return
    the body as it came too (a Telnyx signature covers the bytes)."""
    query = parse_pairs(environ.get("QUERY_STRING", "").encode("latin-1"))
    content_type = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    if environ.get("REQUEST_METHOD") != "POST" or content_type not in FORM_TYPES:
        return query, [], b""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise bottle.HTTPError(400, "Bad Request: invalid Content-Length.") from None
    if length >= MAX_BODY:  # as waitress's max_request_body_size counts
        raise bottle.HTTPError(413, "Request body too large.")
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    return query, parse_pairs(body), body


def parse_pairs(raw: bytes) -> list[tuple[str, str]]:
    """Split ``a=1&b=2`` into decoded pairs, as parse_qsl(keep_blank_values=True) does, and
    refuse a name given twice.

    Written out because it is on every webhook: most of the carrier's values need no unquoting.
    """
    if not raw:
        return []
    fields = [field for field in raw.decode("utf-8", "replace").split("&") if field]
    if len(fields) > MAX_FIELDS:
        raise bottle.HTTPError(400, "Bad Request: too many fields.")
    # Only short fields are remembered: a stranger's huge ones must not fill the memory.
    pairs = [split_cached(field) if len(field) <= 80 else split_field(field) for field in fields]
    if len(dict(pairs)) < len(pairs):  # (a dict of the pairs: built in C, the cheapest test)
        raise bottle.HTTPError(400, "Bad Request: a field is given twice.")
    return pairs


def split_field(field: str) -> tuple[str, str]:
    name, _, value = field.partition("=")
    return unquote_form(name), unquote_form(value)


# The carrier sends the same numbers, SIDs and statuses with every webhook of a call.
split_cached = functools.lru_cache(maxsize=4096)(split_field)


def unquote_form(text: str) -> str:
    if "%" not in text and "+" not in text:
        return text
    return unquote_plus(text, errors="replace")


def public_url(environ, configured: str | None) -> str:
    """The URL the carrier called: the configured public base, or what the proxy headers say."""
    if configured:
        base = configured
    else:
        scheme = first(environ.get("HTTP_X_FORWARDED_PROTO")) or environ["wsgi.url_scheme"]
        host = first(environ.get("HTTP_X_FORWARDED_HOST"))
        port = first(environ.get("HTTP_X_FORWARDED_PORT"))
        if host and port and not HAS_PORT.search(host) and port != DEFAULT_PORTS.get(scheme):
            host = f"{host}:{port}"
        if not host:
            host = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
        base = f"{scheme}://{host}{wsgi_quote(environ.get('SCRIPT_NAME', ''))}"
    # Bottle decodes PATH_INFO as UTF-8 in place and keeps the server's original here.
    url = base + wsgi_quote(environ.get("bottle.raw_path", environ.get("PATH_INFO", "")))
    query = environ.get("QUERY_STRING")
    return f"{url}?{query}" if query else url


HAS_PORT = re.compile(r":\d+\Z")
DEFAULT_PORTS = {"http": "80", "https": "443"}


def first(header: str | None) -> str:
    """The first value of a comma-separated forwarded header: what the caller-facing proxy saw."""
    return header.split(",")[0].strip() if header else ""


def wsgi_quote(path: str) -> str:
    # A tree has few paths: short ones are remembered, a stranger's long ones never.
    return quote_cached(path) if len(path) <= 200 else quote_path(path)


def quote_path(path: str) -> str:
    return quote(path.encode("latin-1"), safe="/:@!$&'()*+,;=-._~")


quote_cached = functools.lru_cache(maxsize=1024)(quote_path)


class Headers:
    """A request's headers, read by name (``x-twilio-signature``) straight from the environ:
    a carrier reads one or two, so none is copied."""

    __slots__ = ("environ",)

    def __init__(self, environ):
        self.environ = environ

    def get(self, name: str, default=None):
        return self.environ.get("HTTP_" + name.upper().replace("-", "_"), default)
