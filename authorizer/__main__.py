"""``python -m authorizer <command>``: the rules tools (see :mod:`authorizer.cli.main`)."""

from authorizer.cli.main import run

if __name__ == "__main__":
    run()
