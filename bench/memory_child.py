"""Peak RSS of a warm container after N decisions: ``python -S memory_child.py TOKEN_FILE``.

Each line of TOKEN_FILE is a distinct valid token, read one at a time; every decision goes through
``authorizer.app.lambda_handler`` with the decision log on (written to /dev/null). Prints one JSON line.
Standard library only: it runs inside the artifact (bench/cold_site.py).
"""

import contextlib
import json
import os
import sys


def main() -> None:
    from authorizer import app

    null = open(os.devnull, "w")
    app.logger.registered_handler.setStream(null)
    decisions = 0
    with open(sys.argv[1]) as tokens, contextlib.redirect_stdout(null):  # EMF metrics go to stdout
        for line in tokens:
            event = {
                "type": "TOKEN",
                "authorizationToken": f"Bearer {line.strip()}",
                "methodArn": "arn:aws:execute-api:eu-west-1:123456789012:abc123/Prod/GET/hello",
            }
            app.lambda_handler(event, None)
            decisions += 1
    print(json.dumps({"decisions": decisions, "peak_rss_mib": peak_rss_kib() / 1024}))


def peak_rss_kib() -> int:
    """VmHWM, this process's own peak RSS. (getrusage's ru_maxrss would also count the parent's
    RSS at fork time, which Linux carries across exec.)"""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


main()
