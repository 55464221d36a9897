"""authorizer.compiled_issuers: the issuers file compiled at build, loaded back without PyYAML only
while its YAML is the text it was compiled from."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from authorizer.compiled_issuers import (
    FIELDS,
    compile_for_build,
    compile_issuers_file,
    compiled_path_for,
    dump_compiled_issuers,
    main,
)
from authorizer.issuers import Issuer, IssuersError, compile_issuers, load_issuers

REPO = Path(__file__).resolve().parents[2]
PROFILES = ("auth0", "rfc9068")
REBUILD = "rebuild it (make sam-build) or remove it to compile the issuers file at start-up"
EXAMPLE = """\
version: 1
issuers:
  - issuer: https://tenant-a.eu.auth0.com/
    audiences: [https://api.example.com]
    jwks_uri: https://tenant-a.eu.auth0.com/keys.json
    profiles: [rfc9068]
  - issuer: https://login.example.com/
    audiences: [https://api.example.com, https://other.example.com]
    description: the custom domain of tenant a
"""


def written(folder: Path, text: str, name: str = "issuers.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_fields_written_are_exactly_the_issuer_records_fields() -> None:
    assert FIELDS == Issuer._fields


@pytest.mark.parametrize("default_profiles", [PROFILES, ("auth0",)])
def test_the_compiled_form_loads_as_the_yaml_compiles_with_the_settings_default_profiles(
    tmp_path: Path, default_profiles: tuple[str, ...]
) -> None:
    # GIVEN issuers.yaml and, beside it, its compiled form
    source = written(tmp_path, EXAMPLE)
    compile_issuers_file(source, compiled_path_for(source))
    # WHEN the settings name issuers.yaml THEN the compiled form loads, equal to the YAML compiled here;
    # the entry without profiles takes TOKEN_PROFILES of the settings that load it
    loaded = load_issuers(source, default_profiles=default_profiles)
    assert loaded == compile_issuers(EXAMPLE, str(source), default_profiles=default_profiles)
    assert [issuer.profiles for issuer in loaded] == [("rfc9068",), default_profiles]


def test_the_compiled_file_holds_the_records_the_format_and_the_yamls_sha256(tmp_path: Path) -> None:
    import hashlib

    source = written(tmp_path, EXAMPLE)
    compile_issuers_file(source, compiled_path_for(source))
    assert json.loads((tmp_path / "issuers.compiled.json").read_text()) == {
        "format": "scopegate-compiled-issuers",
        "version": 1,
        "source": str(source),
        "source_sha256": hashlib.sha256(EXAMPLE.encode()).hexdigest(),
        "issuers": [
            {"issuer": "https://tenant-a.eu.auth0.com/", "audiences": ["https://api.example.com"],
             "jwks_uri": "https://tenant-a.eu.auth0.com/keys.json", "profiles": ["rfc9068"], "line": 3},
            {"issuer": "https://login.example.com/",
             "audiences": ["https://api.example.com", "https://other.example.com"],
             "jwks_uri": "https://login.example.com/.well-known/jwks.json", "profiles": None, "line": 7},
        ],
    }


def test_without_a_compiled_form_the_yaml_is_compiled(tmp_path: Path) -> None:
    source = written(tmp_path, EXAMPLE)
    assert load_issuers(source, default_profiles=PROFILES) == compile_issuers(EXAMPLE, str(source),
                                                                              default_profiles=PROFILES)


def test_a_compiled_form_of_another_text_is_refused_naming_it_and_the_fix(tmp_path: Path) -> None:
    # GIVEN a compiled form left from an older issuers.yaml (a stale build)
    source = written(tmp_path, EXAMPLE)
    compile_issuers_file(source, compiled_path_for(source))
    source.write_text(EXAMPLE.replace("https://other.example.com", "https://third.example.com"))
    # WHEN the issuers are loaded THEN the stale form is refused, never used
    with pytest.raises(IssuersError) as refused:
        load_issuers(source, default_profiles=PROFILES)
    assert refused.value.problems == (
        f"{tmp_path / 'issuers.compiled.json'}: was compiled from another version of {source}; {REBUILD}",
    )


def test_a_compiled_form_of_another_issuers_file_is_refused(tmp_path: Path) -> None:
    # GIVEN the compiled form of another deployment's issuers file copied beside this one
    other = written(tmp_path, EXAMPLE.replace("tenant-a", "tenant-b"), "other.yaml")
    source = written(tmp_path, EXAMPLE)
    compile_issuers_file(other, compiled_path_for(source))
    with pytest.raises(IssuersError) as refused:
        load_issuers(source, default_profiles=PROFILES)
    assert refused.value.problems == (
        f"{tmp_path / 'issuers.compiled.json'}: was compiled from another version of {other}; {REBUILD}",
    )


Change = Callable[[dict[str, Any]], object]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d: d.update(version=2), "was written by another version of scopegate (format 2)"),
        (lambda d: d.pop("source"), "was written by another version of scopegate (format 1)"),
        (lambda d: d.update(format="scopegate-compiled-rules"),
         'is not a compiled issuers file (no "format": "scopegate-compiled-issuers")'),
        (lambda d: d.update(issuers=[]), "'issuers' must be a list of 1 to 32 issuers"),
        (lambda d: d.update(issuers=d["issuers"] * 17), "'issuers' must be a list of 1 to 32 issuers"),
        (lambda d: d.update(issuers=d["issuers"] * 2), "lists an issuer twice"),
        (lambda d: d["issuers"][1].pop("line"),
         "issuer 2: must be an object with exactly issuer, audiences, jwks_uri, profiles, line"),
        (lambda d: d["issuers"][0].update(jwks_uri="http://keys.example.com/jwks.json"),
         "issuer 1: jwks_uri: must be a URL keys may be fetched from"),
        (lambda d: d["issuers"][0].update(audiences="https://api.example.com"),
         "issuer 1: audiences: must be a non-empty list of non-empty strings without surrounding spaces"),
        (lambda d: d["issuers"][0].update(audiences=[" https://api.example.com"]),
         "issuer 1: audiences: must be a non-empty list of non-empty strings without surrounding spaces"),
        (lambda d: d["issuers"][0].update(profiles=["jwt"]), "issuer 1: profiles: each must be one of auth0, rfc9068"),
        (lambda d: d["issuers"][0].update(line=True), "issuer 1: line: must be a line number"),
        (lambda d: d["issuers"][0].update(issuer=""), "issuer 1: issuer: must be an issuer URL the issuers file could hold"),
        (lambda d: d["issuers"][0].update(issuer="http://tenant.example.com/"),
         "issuer 1: issuer: must be an issuer URL the issuers file could hold"),
        (lambda d: d["issuers"][0].update(issuer="https://tenant.eu.auth0.com"),  # Auth0's iss ends with /
         "issuer 1: issuer: must be an issuer URL the issuers file could hold"),
    ],
)
def test_a_damaged_compiled_form_is_refused_naming_the_file_and_the_fix(tmp_path: Path, change: Change,
                                                                         problem: str) -> None:
    source = written(tmp_path, EXAMPLE)
    document = json.loads(dump_compiled_issuers(compile_for_build(EXAMPLE, str(source)), str(source), EXAMPLE))
    change(document)
    target = written(tmp_path, json.dumps(document), "issuers.compiled.json")
    with pytest.raises(IssuersError) as refused:
        load_issuers(source, default_profiles=PROFILES)
    assert refused.value.problems == (f"{target}: {problem}; {REBUILD}",)


def test_a_compiled_form_that_is_not_json_is_refused(tmp_path: Path) -> None:
    source = written(tmp_path, EXAMPLE)
    target = written(tmp_path, EXAMPLE, "issuers.compiled.json")
    with pytest.raises(IssuersError) as refused:
        load_issuers(source, default_profiles=PROFILES)
    assert refused.value.problems == (f"{target}: is not JSON; {REBUILD}",)


def test_the_build_step_compiles_and_says_what_it_wrote(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = written(tmp_path, EXAMPLE)
    target = tmp_path / "issuers.compiled.json"
    assert main([str(source), str(target)]) == 0
    assert capsys.readouterr().out == f"compiled 2 issuers from {source} into {target}\n"
    assert load_issuers(source, default_profiles=PROFILES) == compile_issuers(EXAMPLE, str(source),
                                                                              default_profiles=PROFILES)


def test_the_build_step_fails_on_an_invalid_issuers_file_naming_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = written(tmp_path, EXAMPLE.replace("    audiences: [https://api.example.com]\n", "    audience: [x]\n", 1))
    target = tmp_path / "issuers.compiled.json"
    assert main([str(source), str(target)]) == 1
    assert capsys.readouterr().err.startswith(
        f"cannot compile the issuers file: {source}:3: issuer 1 (https://tenant-a.eu.auth0.com/): needs 'audiences'"
    )
    assert not target.exists()


def test_loading_the_compiled_form_imports_no_yaml(tmp_path: Path) -> None:
    # GIVEN issuers.yaml with its compiled form, in a fresh interpreter
    source = written(tmp_path, EXAMPLE)
    compile_issuers_file(source, compiled_path_for(source))
    program = (
        "import sys; from pathlib import Path; from authorizer.issuers import load_issuers; "
        f"issuers = load_issuers(Path({str(source)!r}), default_profiles=('auth0',)); "
        "print(len(issuers), 'yaml' in sys.modules, 'authorizer.yaml_source' in sys.modules)"
    )
    # WHEN it loads the issuers THEN neither PyYAML nor our YAML reader was imported
    done = subprocess.run([sys.executable, "-c", program], cwd=REPO, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["2", "False", "False"]
