"""authorizer.config: settings from the environment; every problem reported at once."""

from __future__ import annotations

import pytest

from authorizer.config import PACKAGED_RULES_FILE, read_settings
from authorizer.errors import ConfigError

GOOD = {"TOKEN_ISSUER": "https://tenant.eu.auth0.com/", "AUDIENCE": "https://api.example.com"}


def test_defaults_follow_the_article_and_are_safe() -> None:
    settings = read_settings(GOOD)
    assert settings.jwks.uri == "https://tenant.eu.auth0.com/.well-known/jwks.json"
    assert settings.rules_file == PACKAGED_RULES_FILE
    assert settings.token.algorithms == ("RS256",)
    assert settings.token.profiles == ("auth0", "rfc9068")
    assert (settings.token.clock_skew_seconds, settings.token.max_token_bytes) == (30, 8192)


def test_loopback_http_is_allowed_for_the_local_stack() -> None:
    settings = read_settings({"TOKEN_ISSUER": "http://127.0.0.1:3001/", "AUDIENCE": "a"})
    assert settings.jwks.uri == "http://127.0.0.1:3001/.well-known/jwks.json"


def test_every_problem_is_named_in_one_message() -> None:
    with pytest.raises(ConfigError) as raised:
        read_settings(
            {
                "TOKEN_ISSUER": "http://tenant.auth0.com",
                "JWKS_URI": "file:///etc/passwd",
                "TOKEN_ALGORITHMS": "HS256",
                "CLOCK_SKEW_SECONDS": "lots",
                "JWKS_CACHE_TTL_SECONDS": "5",
                "POWERTOOLS_LOGGER_LOG_EVENT": "true",
            }
        )
    message = str(raised.value)
    for fragment in [
        "AUDIENCE is required",
        "TOKEN_ISSUER='http://tenant.auth0.com' must be an https URL",
        "lacks the trailing '/'",
        "JWKS_URI='file:///etc/passwd' must be an https URL",
        "TOKEN_ALGORITHMS='HS256'",
        "CLOCK_SKEW_SECONDS='lots' is not a whole number",
        "JWKS_CACHE_TTL_SECONDS=5 is outside 60..86400",
        "POWERTOOLS_LOGGER_LOG_EVENT is on",
    ]:
        assert fragment in message, fragment


def test_missing_issuer_is_reported() -> None:
    with pytest.raises(ConfigError, match="TOKEN_ISSUER is required"):
        read_settings({"AUDIENCE": "x"})


def test_an_issuer_that_is_not_a_url_is_one_problem_among_the_others() -> None:
    # GIVEN an issuer urlsplit cannot parse (ValueError: Invalid IPv6 URL) and a missing audience
    # WHEN read THEN one ConfigError names both, instead of a bare ValueError hiding the rest
    with pytest.raises(ConfigError) as raised:
        read_settings({"TOKEN_ISSUER": "https://[tenant.auth0.com/", "AUDIENCE": ""})
    message = str(raised.value)
    assert "TOKEN_ISSUER='https://[tenant.auth0.com/' is not a URL" in message
    assert "AUDIENCE is required" in message


def test_client_credentials_only_is_off_by_default_and_read_as_a_flag() -> None:
    assert read_settings(GOOD).token.client_credentials_only is False
    assert read_settings({**GOOD, "CLIENT_CREDENTIALS_ONLY": "true"}).token.client_credentials_only is True
    with pytest.raises(ConfigError, match="CLIENT_CREDENTIALS_ONLY='sometimes' must be true or false"):
        read_settings({**GOOD, "CLIENT_CREDENTIALS_ONLY": "sometimes"})
