"""template.yaml under the linters that guard it."""
