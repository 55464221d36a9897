"""Peak RSS of a warm container after N decisions: ``python -m bench.memory_child TOKEN_FILE``.

Each line of TOKEN_FILE is a distinct valid token, read one at a time; every decision goes through
``authorizer.app.lambda_handler`` with the decision log on (written to /dev/null). Prints one JSON line.
"""

import json
import os
import resource
import sys


def main() -> None:
    from authorizer import app

    app.logger.registered_handler.setStream(open(os.devnull, "w"))
    decisions = 0
    with open(sys.argv[1]) as tokens:
        for line in tokens:
            event = {
                "type": "TOKEN",
                "authorizationToken": f"Bearer {line.strip()}",
                "methodArn": "arn:aws:execute-api:eu-west-1:123456789012:abc123/Prod/GET/hello",
            }
            app.lambda_handler(event, None)
            decisions += 1
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"decisions": decisions, "peak_rss_mib": peak_kib / 1024}))


main()
