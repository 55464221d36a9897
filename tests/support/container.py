"""The Lambda container of ``authorizer.app`` as tests see it."""

from __future__ import annotations


def new_container() -> None:
    """Simulate a new Lambda container: the next invocation cold-starts.

    Settings are read from the environment again, the rules file is loaded again and the keys
    fetched again; nothing warm (engine, memos, JWKS cache, a kept cold-start failure) survives.
    The autouse fixture ``warm_start_state`` (tests/conftest.py) calls it around every test;
    call it inside a test only to simulate a new container there.
    """
    # Imported here, not at the top: tests/conftest.py imports this module, and the fuzz target
    # imports tests/conftest.py before it imports the authorizer under atheris' instrumentation.
    from authorizer import app

    app.reset_state()
