"""marshmallow schemas of the HTTP API: request schemas load, response schemas dump."""
