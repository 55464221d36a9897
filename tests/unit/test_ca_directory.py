"""scripts/ca-directory and authorizer.http_fetch.tls_context: a CA bundle as an OpenSSL hashed
directory verifies exactly what the bundle verifies, over real TLS on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import certifi
import pytest

from authorizer.errors import JwksUnavailable, Reason
from authorizer.http_fetch import PACKAGED_CA_DIRECTORY, make_http_fetcher, tls_context
from tests.support.jwks_server import running_jwks_server
from tests.support.keys import SigningKey
from tests.support.tls import TestTls, make_test_tls

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "ca-directory"
needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl command here")


@pytest.fixture
def test_tls(tmp_path: Path) -> TestTls:
    (tmp_path / "tls").mkdir()
    return make_test_tls(tmp_path / "tls")


def indexed(bundle: bytes, folder: Path, path: str | None = None) -> tuple[Path, str]:
    (folder / "bundle.pem").write_bytes(bundle)
    directory = folder / "ca-certificates"
    env = {**os.environ, "PATH": path} if path is not None else None
    done = subprocess.run([sys.executable, str(SCRIPT), str(folder / "bundle.pem"), str(directory)],
                          capture_output=True, text=True, check=True, env=env)
    return directory, done.stdout


@needs_openssl
def test_the_directory_holds_every_certificate_of_the_bundle_under_its_hash(tmp_path: Path, test_tls: TestTls) -> None:
    # GIVEN certifi's bundle with the test CA appended WHEN indexed
    bundle = Path(certifi.where()).read_bytes() + b"\n" + test_tls.ca_pem
    directory, said = indexed(bundle, tmp_path)
    # THEN each certificate is one regular file named <subject hash>.<n>, and nothing else is there
    names = sorted(path.name for path in directory.iterdir())
    count = bundle.count(b"-----BEGIN CERTIFICATE-----")
    assert len(names) == count and all(len(name.split(".")[0]) == 8 for name in names)
    assert not any(path.is_symlink() for path in directory.iterdir())
    assert said == f"indexed {count} certificates of {tmp_path / 'bundle.pem'} into {directory}\n"


@needs_openssl
def test_a_fetch_through_the_directory_verifies_the_servers_chain(tmp_path: Path, test_tls: TestTls,
                                                                  signing_key: SigningKey) -> None:
    directory, _ = indexed(Path(certifi.where()).read_bytes() + b"\n" + test_tls.ca_pem, tmp_path)
    with running_jwks_server(test_tls.server) as server:
        server.serve_keys(signing_key.jwk())
        fetch = make_http_fetcher(2.0, 1024 * 1024, tls_context=lambda: tls_context(str(directory)))
        assert fetch(server.url) == server.answer.body


@needs_openssl
def test_a_directory_without_the_servers_ca_refuses_it(tmp_path: Path, test_tls: TestTls, signing_key: SigningKey) -> None:
    directory, _ = indexed(Path(certifi.where()).read_bytes(), tmp_path)
    with running_jwks_server(test_tls.server) as server:
        server.serve_keys(signing_key.jwk())
        fetch = make_http_fetcher(2.0, 1024 * 1024, tls_context=lambda: tls_context(str(directory)))
        with pytest.raises(JwksUnavailable) as raised:
            fetch(server.url)
        assert raised.value.reason is Reason.JWKS_UNREACHABLE


def test_without_openssl_the_script_writes_nothing_and_says_so(tmp_path: Path, test_tls: TestTls) -> None:
    directory, said = indexed(test_tls.ca_pem, tmp_path, path=str(tmp_path / "no-commands-here"))
    assert not directory.exists()
    assert said.startswith(f"NOTE: no {directory} (") and "certifi's bundle file instead" in said


def test_the_source_tree_has_no_packaged_directory_so_certifis_file_is_used() -> None:
    # the build writes ca-certificates/ beside the package in the artifact only
    assert (PACKAGED_CA_DIRECTORY, os.path.isdir(PACKAGED_CA_DIRECTORY)) == (str(REPO / "ca-certificates"), False)
    assert tls_context(None).cert_store_stats()["x509_ca"] == Path(certifi.where()).read_bytes().count(b"BEGIN CERT")
