"""``python -m scopegate_tools <command>``: the rules tools (see :mod:`scopegate_tools.cli.main`)."""

from scopegate_tools.cli.main import run

if __name__ == "__main__":
    run()
