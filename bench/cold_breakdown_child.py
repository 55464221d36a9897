"""Where a cold start of scopegate goes, one part after the other, in a fresh process.

``python -S cold_breakdown_child.py TOKEN_FILE`` runs the parts of a cold start in sequence, without
Lambda's init (AWS_LAMBDA_FUNCTION_NAME unset, so nothing overlaps) and writes one JSON line to
stderr: the monotonic clock at this file's first line (``started``), and the milliseconds of each
part: the runtime's own imports (bench/lambda_runtime.py); importing ``authorizer.app``; building the engine (``configuration``: ``read_settings``;
``rules``: the engine's ``load_rules``; the rest of the wiring); creating the TLS context of the
first HTTPS fetch; fetching and parsing the JWKS; the first decision. Run with ``-X importtime``
it also says where every imported top-level module came from, so the parent can group import
times by package. Standard library and the artifact only (bench/cold_site.py).
"""

import time

started = time.monotonic()

import lambda_runtime  # noqa: E402, F401 - what Lambda's runtime imports before init

bootstrapped = time.monotonic()

import json  # noqa: E402 - after the clock
import os  # noqa: E402
import sys  # noqa: E402
import sysconfig  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

parts: dict[str, float] = {"runtime": (bootstrapped - started) * 1000}


def timed(name: str, action: Callable[[], Any]) -> Any:
    begun = time.perf_counter()
    try:
        return action()
    finally:
        parts[name] = parts.get(name, 0.0) + (time.perf_counter() - begun) * 1000


def counting(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return timed(name, lambda: function(*args, **kwargs))

    return wrapper


def origins() -> dict[str, str]:
    """Each imported top-level module: ``stdlib`` or the folder it was loaded from."""
    stdlib = {sysconfig.get_path("stdlib"), sysconfig.get_path("platstdlib")}
    found: dict[str, str] = {}
    for name, module in list(sys.modules.items()):
        top = name.partition(".")[0]
        if top in found or name != top:
            continue
        where = getattr(module, "__file__", None)
        if where is None or any(where.startswith(folder + os.sep) for folder in stdlib):
            found[top] = "stdlib"
        else:
            found[top] = where
    return found


class Context:
    aws_request_id = "bench-cold-breakdown"
    function_name = "scopegate-bench"


def main() -> None:
    with open(sys.argv[1]) as handle:
        token = handle.read().strip()
    event = {
        "type": "TOKEN",
        "authorizationToken": f"Bearer {token}",
        "methodArn": "arn:aws:execute-api:eu-west-1:123456789012:abc123/Prod/GET/hello",
    }
    os.environ.pop("AWS_LAMBDA_FUNCTION_NAME", None)  # no init-phase work: each part on its own
    app = timed("imports", lambda: __import__("authorizer.app", fromlist=["app"]))
    engine_module = sys.modules["authorizer.engine"]
    app.read_settings = counting("configuration", app.read_settings)
    engine_module.load_rules = counting("rules", engine_module.load_rules)
    engine = timed("engine", app.current_engine)
    parts["engine"] -= parts.get("configuration", 0.0) + parts.get("rules", 0.0)
    if engine.settings.jwks.uri.startswith("https:"):
        http_fetch = timed("TLS context", lambda: __import__("authorizer.http_fetch", fromlist=["x"]))
        timed("TLS context", http_fetch.default_tls_context)
    ok = timed("JWKS", engine.jwks.prefetch)
    response = timed("first decision", lambda: app.lambda_handler(event, Context()))
    allowed = response["policyDocument"]["Statement"][0]["Effect"] == "Allow"
    sys.stderr.write(json.dumps({
        "started": started, "parts": parts, "jwks_ok": ok, "allowed": allowed,
        "origins": origins(), "modules": {name: name in sys.modules for name in ("yaml", "jwt")},
    }) + "\n")


main()
