"""Tests of what `sam build` produces: the artifacts run on their own, with the Lambda runtime's Python."""
