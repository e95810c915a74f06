"""Pydantic models of the request payloads, one module per document type."""
