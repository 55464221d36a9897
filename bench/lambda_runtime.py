"""What Lambda's Python runtime has imported by the time its init imports the handler's module.

The runtime interface client (awslambdaric) imports these standard-library modules before it loads
the handler: ``bootstrap.py`` (importlib, json, logging, os, sys, time, traceback) and the modules
it loads first (``lambda_runtime_log_utils``: enum; ``lambda_runtime_marshaller``: decimal, math).
A cold-start child imports them before its init, as the runtime would, so that neither authorizer
is charged for them (the Powertools logger needs ``logging``, the minimal authorizer does not).
awslambdaric's own modules and simplejson are left out: they are not in the artifact. Standard
library only: the children import it from bench/ (their script's folder).
"""

import decimal  # noqa: F401
import enum  # noqa: F401
import importlib  # noqa: F401
import json  # noqa: F401
import logging  # noqa: F401
import math  # noqa: F401
import os  # noqa: F401
import sys  # noqa: F401
import time  # noqa: F401
import traceback  # noqa: F401
