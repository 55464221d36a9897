"""A local API Gateway (REST) emulator for template.yaml: TOKEN authorizer, result cache, Lambda proxy."""
