"""authorizer.issuers: the issuers file, every problem at once with its line, and its place in the settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from authorizer import app

from authorizer.config import read_settings
from authorizer.errors import ConfigError
from authorizer.issuers import Issuer, IssuersError, compile_issuers, configured_issuers, load_issuers
from tests.support.keys import rsa_key
from tests.support.lambda_context import FakeLambdaContext
from tests.support.minting import mint

PROFILES = ("auth0", "rfc9068")
VALID = """\
version: 1
issuers:
  - issuer: https://tenant-a.eu.auth0.com/
    audiences: [https://api.example.com]
    jwks_uri: https://tenant-a.eu.auth0.com/keys.json
    profiles: [auth0]
  - issuer: https://login.example.com/
    audiences: [https://api.example.com, https://other.example.com]
    description: the custom domain of tenant a
"""


def test_a_valid_file_gives_each_issuer_with_its_defaults() -> None:
    assert compile_issuers(VALID, "issuers.yaml", default_profiles=PROFILES) == (
        Issuer("https://tenant-a.eu.auth0.com/", ("https://api.example.com",),
               "https://tenant-a.eu.auth0.com/keys.json", ("auth0",), 3),
        Issuer("https://login.example.com/", ("https://api.example.com", "https://other.example.com"),
               "https://login.example.com/.well-known/jwks.json", PROFILES, 7),
    )


def test_every_problem_is_reported_at_once_each_with_its_file_and_line() -> None:
    # GIVEN a file with five mistakes in three entries
    text = """\
version: 1
issuers:
  - issuer: http://tenant-a.eu.auth0.com
    audiences: https://api.example.com
  - issuer: https://login.example.com/
    audience: [https://api.example.com]
    profiles: [auth0, jwt]
  - issuer: https://tenant-c.example.com/
    audiences: [https://api.example.com]
    jwks_uri: ftp://tenant-c.example.com/keys
"""
    with pytest.raises(IssuersError) as raised:
        compile_issuers(text, "policies/issuers.yaml", default_profiles=PROFILES)
    # THEN each one is named, in line order, with the fix
    assert raised.value.problems == (
        "policies/issuers.yaml:3: issuer 1 (http://tenant-a.eu.auth0.com): 'issuer' must be an https URL "
        "(plain http is allowed only for 127.0.0.1 or localhost)",
        "policies/issuers.yaml:3: issuer 1 (http://tenant-a.eu.auth0.com): 'issuer' lacks the trailing '/' that "
        "Auth0 puts in 'iss'; use 'http://tenant-a.eu.auth0.com/'",
        "policies/issuers.yaml:4: issuer 1 (http://tenant-a.eu.auth0.com): 'audiences' must be a list, "
        "e.g. audiences: [https://api.example.com]",
        "policies/issuers.yaml:5: issuer 2 (https://login.example.com/): needs 'audiences', "
        "e.g. audiences: [https://api.example.com]",
        "policies/issuers.yaml:6: issuer 2 (https://login.example.com/): unknown key 'audience'; did you mean 'audiences'?",
        "policies/issuers.yaml:7: issuer 2 (https://login.example.com/): 'profiles' holds 'jwt'; "
        "each must be one of auth0, rfc9068",
        "policies/issuers.yaml:10: issuer 3 (https://tenant-c.example.com/): 'jwks_uri' must be an https URL "
        "(plain http is allowed only for 127.0.0.1 or localhost)",
    )
    # AND it is a configuration error (a 500 at cold start), its message holding them all
    assert isinstance(raised.value, ConfigError)
    assert str(raised.value).count("policies/issuers.yaml:") == 7


def test_an_issuer_listed_twice_names_the_earlier_line() -> None:
    text = VALID + "  - issuer: https://login.example.com/\n    audiences: [https://third.example.com]\n"
    with pytest.raises(IssuersError) as raised:
        compile_issuers(text, "f.yaml", default_profiles=PROFILES)
    assert raised.value.problems == (
        "f.yaml:10: issuer 3 (https://login.example.com/) is already listed on line 7; list each issuer once, "
        "with all its audiences",
    )


@pytest.mark.parametrize(
    "text, problem",
    [
        ("version: 2\nissuers: []\n", "f.yaml:1: 'version' must be 1 (found 2)"),
        ("version: 1\nissuers: []\n", "f.yaml:2: 'issuers' must be a non-empty list"),
        ("version: 1\nissuer: []\n", "f.yaml:2: unknown top-level key 'issuer'; did you mean 'issuers'?"),
        ("version: 1\nissuers:\n  - https://a.example/\n",
         "f.yaml:3: issuer 1: must be a mapping with 'issuer' and 'audiences'"),
        ("version: 1\nissuers:\n  - audiences: [x]\n", "f.yaml:3: issuer 1: needs 'issuer', the exact 'iss' of its tokens"),
        ("version: 1\nissuers:\n  - issuer: https://a.example/\n    audiences: [x, x]\n",
         "f.yaml:4: issuer 1 (https://a.example/): 'audiences' lists a value twice; list it once"),
        ("version: 1\nissuers:\n  - issuer: https://a.example/\n    audiences: []\n",
         "f.yaml:4: issuer 1 (https://a.example/): 'audiences' must be a non-empty list"),
        ("version: 1\nissuers:\n  - issuer: https://a.example/\n    audiences: [' x']\n",
         "f.yaml:4: issuer 1 (https://a.example/): 'audiences' must hold non-empty strings without surrounding spaces"),
    ],
)
def test_a_malformed_file_is_refused_with_the_line_and_the_fix(text: str, problem: str) -> None:
    with pytest.raises(IssuersError) as raised:
        compile_issuers(text, "f.yaml", default_profiles=PROFILES)
    assert raised.value.problems == (problem,)


def test_more_than_32_issuers_are_refused() -> None:
    entries = "".join(f"  - issuer: https://t{n}.example/\n    audiences: [a]\n" for n in range(33))
    with pytest.raises(IssuersError) as raised:
        compile_issuers("version: 1\nissuers:\n" + entries, "f.yaml", default_profiles=PROFILES)
    assert raised.value.problems == ("f.yaml:3: 'issuers' lists 33 issuers; at most 32",)


def test_a_missing_file_says_which_setting_to_fix(tmp_path: Path) -> None:
    with pytest.raises(IssuersError) as raised:
        load_issuers(tmp_path / "nope.yaml", default_profiles=PROFILES)
    assert raised.value.problems == (f"{tmp_path / 'nope.yaml'}: issuers file not found; fix ISSUERS_FILE or add the file",)


def test_the_file_and_the_single_issuer_variables_together_are_a_configuration_error_naming_both() -> None:
    with pytest.raises(ConfigError) as raised:
        read_settings({"ISSUERS_FILE": "policies/issuers.yaml", "TOKEN_ISSUER": "https://t.example/",
                       "JWKS_URI": "https://t.example/keys"})
    assert str(raised.value) == (
        "invalid configuration: ISSUERS_FILE and TOKEN_ISSUER, JWKS_URI are both set: the issuers file lists "
        "every trusted issuer with its audiences and JWKS URI; unset TOKEN_ISSUER, JWKS_URI, or unset "
        "ISSUERS_FILE to trust the one issuer they name"
    )


def test_with_the_file_the_issuers_are_the_files_and_profiles_default_to_token_profiles(tmp_path: Path) -> None:
    path = tmp_path / "issuers.yaml"
    path.write_text(VALID)
    settings = read_settings({"ISSUERS_FILE": str(path), "TOKEN_PROFILES": "rfc9068"})
    assert (settings.issuers_file, settings.token.issuer, settings.token.audiences) == (path, "", ())
    assert [(i.issuer, i.profiles) for i in configured_issuers(settings)] == [
        ("https://tenant-a.eu.auth0.com/", ("auth0",)),
        ("https://login.example.com/", ("rfc9068",)),
    ]


def test_without_the_file_the_one_issuer_is_token_issuer() -> None:
    settings = read_settings({"TOKEN_ISSUER": "https://t.eu.auth0.com/", "AUDIENCE": "https://api"})
    assert configured_issuers(settings) == (
        Issuer("https://t.eu.auth0.com/", ("https://api",), "https://t.eu.auth0.com/.well-known/jwks.json", PROFILES),
    )


def test_a_broken_issuers_file_fails_the_cold_start_with_a_500_naming_each_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, log_lines: Any
) -> None:
    # GIVEN a deployment whose issuers file has two mistakes
    path = tmp_path / "issuers.yaml"
    path.write_text("version: 1\nissuers:\n  - issuer: https://t.example\n    audiences: [a]\n    jwks: x\n"
                    "    profiles: [jwt]\n")
    for name in ("TOKEN_ISSUER", "AUDIENCE", "JWKS_URI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ISSUERS_FILE", str(path))
    token = mint(rsa_key("key-1"))
    event = {"type": "TOKEN", "methodArn": "arn:aws:execute-api:eu-west-1:123456789012:abc123/Dev/GET/x",
             "authorizationToken": f"Bearer {token}"}
    # WHEN a request arrives THEN it is a 500, and the cold start's one log line names both problems
    with pytest.raises(app.AuthorizerFailure, match="config_invalid"):
        app.lambda_handler(event, FakeLambdaContext())
    (failed,) = [r for r in log_lines.records() if r["message"] == "cold start failed"]
    assert failed["problem"] == (
        f"invalid issuers file: {path}:5: issuer 1 (https://t.example): unknown key 'jwks'; did you mean 'jwks_uri'?; "
        f"{path}:6: issuer 1 (https://t.example): 'profiles' holds 'jwt'; each must be one of auth0, rfc9068"
    )
    assert failed["reason"] == "config_invalid"
