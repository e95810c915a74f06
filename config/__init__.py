"""Settings of the service, read once from DOCGEN_* environment variables."""

from config.settings import Settings, get_settings

__all__ = ["Settings", "get_settings"]
