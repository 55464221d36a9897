"""authorizer.config: settings from the environment; every problem reported at once."""

from __future__ import annotations

import io
import itertools

import pytest
from aws_lambda_powertools import Logger
from aws_lambda_powertools.shared.functions import strtobool  # internal: pinned here, not used by the code

from authorizer.config import (
    PACKAGED_RULES_FILE,
    POWERTOOLS_FALSE_WORDS,
    POWERTOOLS_TRUE_WORDS,
    check_log_event,
    read_settings,
)
from authorizer.errors import ConfigError
from tests.support.lambda_context import FakeLambdaContext

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
        "POWERTOOLS_LOGGER_LOG_EVENT='true' turns on Powertools' event logging",
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


def test_a_jwks_uri_an_http_request_cannot_carry_is_refused_with_the_fix() -> None:
    with pytest.raises(ConfigError, match="must be printable ASCII without spaces \\(percent-encode"):
        read_settings({**GOOD, "JWKS_URI": "https://keys.example.com/my keys.json"})


def test_client_credentials_only_is_off_by_default_and_read_as_a_flag() -> None:
    assert read_settings(GOOD).token.client_credentials_only is False
    assert read_settings({**GOOD, "CLIENT_CREDENTIALS_ONLY": "true"}).token.client_credentials_only is True
    with pytest.raises(ConfigError, match="CLIENT_CREDENTIALS_ONLY='sometimes' must be true or false"):
        read_settings({**GOOD, "CLIENT_CREDENTIALS_ONLY": "sometimes"})


# --- POWERTOOLS_LOGGER_LOG_EVENT: refused whenever Powertools would or might log the event ------

# Lower-case words a Powertools release could plausibly read as a boolean, beside its own table.
PLAUSIBLE_WORDS = sorted(
    POWERTOOLS_TRUE_WORDS | POWERTOOLS_FALSE_WORDS
    | {"enabled", "enable", "disabled", "disable", "none", "null", "nil", "ok", "yep", "nope", "si", "ja",
       "oui", "x", "e", "o", "of", "tr", "ye", "2", "-1", "+1", "01", "1.0", "0.0", "truee", "yes please"}
)
PADDINGS = ("{}", " {}", "{} ", " {} ", "\t{}\n", "\u00a0{}", "{}\r")  # an environment value holds no NUL
GARBAGE = ("", " ", "\t", "\n", "\u00a0", "true,false", '"true"', "'1'", "\uff54\uff52\uff55\uff45", "\u0130")


def _case_variants(word: str) -> set[str]:
    return {"".join(chars) for chars in itertools.product(*({c.lower(), c.upper()} for c in word))}


# Every case variant of every word, each bare and padded, and garbage: about 9,000 values.
VALUES = sorted(
    {padding.format(variant) for word in PLAUSIBLE_WORDS for variant in _case_variants(word) for padding in PADDINGS}
    | set(GARBAGE)
)


def _powertools_reads(value: str) -> str:
    """'true', 'false' or 'invalid': what Powertools' own parser makes of ``value``."""
    try:
        return "true" if strtobool(value) else "false"
    except ValueError:
        return "invalid"


def test_log_event_truth_table_is_the_one_powertools_uses() -> None:
    # GIVEN Powertools' own parser WHEN it reads every plausible word THEN its true and false words
    # are exactly our copy of its table (this fails when an upgrade changes the table)
    read = {word: _powertools_reads(word) for word in PLAUSIBLE_WORDS}
    assert {w for w, r in read.items() if r == "true"} == POWERTOOLS_TRUE_WORDS
    assert {w for w, r in read.items() if r == "false"} == POWERTOOLS_FALSE_WORDS


def test_log_event_is_accepted_only_when_blank_or_read_as_false() -> None:
    # WHEN every value is checked
    refused = {value for value in VALUES if check_log_event(value) is not None}
    # THEN every value Powertools reads as true is refused, and so is every value it raises on,
    # except blank ones and false words with spaces around them (no reader takes those for true)
    read_true = {value for value in VALUES if _powertools_reads(value) == "true"}
    accepted = set(VALUES) - refused
    assert read_true <= refused
    assert accepted == {v for v in VALUES if not v.strip() or _powertools_reads(v.strip()) == "false"}
    assert {"y", "T", "True", "tRUE", "On", " TRUE ", "yes\r", "enabled", "2"} <= refused
    assert {"", " ", "n", "F", "False", "OFF", " false ", "\tNo\n"} <= accepted


def test_log_event_is_refused_for_every_value_that_makes_powertools_log_the_event(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GIVEN Powertools' Logger, which reads the variable when inject_lambda_context wraps a handler
    stream = io.StringIO()
    logger = Logger(service="log-event-oracle", stream=stream)
    event = {"marker": "event-was-logged"}
    logged: set[str] = set()
    for value in VALUES:
        monkeypatch.setenv("POWERTOOLS_LOGGER_LOG_EVENT", value)
        try:
            handler = logger.inject_lambda_context(lambda event, context: None)
        except ValueError:  # Powertools refuses the value: the function would not start
            continue
        handler(event, FakeLambdaContext())
        if "event-was-logged" in stream.getvalue():
            logged.add(value)
        stream.seek(0)
        stream.truncate()
    # THEN the values that made it log the event are exactly its true words in any case, all refused
    assert logged == {v for v in VALUES if v.lower() in POWERTOOLS_TRUE_WORDS}
    assert all(check_log_event(value) is not None for value in logged)


@pytest.mark.parametrize(
    "value, fragment",
    [
        ("y", "POWERTOOLS_LOGGER_LOG_EVENT='y' turns on Powertools' event logging"),
        ("True", "POWERTOOLS_LOGGER_LOG_EVENT='True' turns on Powertools' event logging"),
        (" TRUE ", "POWERTOOLS_LOGGER_LOG_EVENT=' TRUE ' is not a value Powertools reads as false"),
        ("enabled", "POWERTOOLS_LOGGER_LOG_EVENT='enabled' is not a value Powertools reads as false"),
    ],
)
def test_read_settings_refuses_a_log_event_value_naming_it(value: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as raised:
        read_settings({**GOOD, "POWERTOOLS_LOGGER_LOG_EVENT": value})
    assert fragment in str(raised.value) and "unset it" in str(raised.value)


@pytest.mark.parametrize("value", ["", "false", "Off", " 0 ", "N"])
def test_read_settings_accepts_a_log_event_value_read_as_false(value: str) -> None:
    assert read_settings({**GOOD, "POWERTOOLS_LOGGER_LOG_EVENT": value}) == read_settings(GOOD)
