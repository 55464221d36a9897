"""Which URLs keys may be fetched from, and where an issuer publishes them (pure).

Kept apart from :mod:`authorizer.config` so that Lambda's init can check the JWKS URL and start
fetching before the rest of the settings' modules are imported (:mod:`authorizer.lambda_init`);
:mod:`authorizer.config` reads the settings with these same rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

LOOPBACK_HOSTS = frozenset({"localhost"})
# The largest JWKS_TIMEOUT_SECONDS and JWKS_MAX_BYTES the settings accept (config.read_settings):
# a fetch begun before the settings are read is bounded by these, its answer then by the settings.
MAX_JWKS_TIMEOUT_SECONDS = 10
MAX_JWKS_BYTES = 10 * 1024 * 1024
# ISSUERS_FILE lists at most this many issuers, each with a JWKS cache (about 10 KiB of keys): a bound
# on memory and on the fetches of init (authorizer.issuers checks the file, authorizer.lambda_init fetches)
MAX_ISSUERS = 32
# the one issuer's settings, which ISSUERS_FILE replaces (setting both is a configuration error)
SINGLE_ISSUER_VARIABLES = ("TOKEN_ISSUER", "AUDIENCE", "JWKS_URI")


def is_loopback_host(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() in LOOPBACK_HOSTS:
        return True
    import ipaddress  # only plain-http URLs ask: an https JWKS URL is fetched without it at init

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_fetch_url(url: str) -> str | None:
    """Why ``url`` may not be used to fetch keys, or None if it may."""
    if not url.isascii() or not url.isprintable() or " " in url:
        return "must be printable ASCII without spaces (percent-encode any other character)"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number from 0 to 65535
    except ValueError:
        return "is not a URL"
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and is_loopback_host(parts.hostname):
        return None
    return "must be an https URL (plain http is allowed only for 127.0.0.1 or localhost)"


def default_jwks_uri(issuer: str) -> str:
    """Where an issuer publishes its keys unless JWKS_URI says otherwise (Auth0's place)."""
    return (issuer if issuer.endswith("/") else issuer + "/") + ".well-known/jwks.json"


def jwks_uri_in(env: Mapping[str, str]) -> str | None:
    """The JWKS URL that the settings in ``env`` name (JWKS_URI, else TOKEN_ISSUER's), if keys may
    be fetched from it; None otherwise. :func:`authorizer.config.read_settings` has the last word."""
    issuer = env.get("TOKEN_ISSUER", "").strip()
    uri = env.get("JWKS_URI", "").strip() or (default_jwks_uri(issuer) if issuer else "")
    return uri if uri and check_fetch_url(uri) is None else None
