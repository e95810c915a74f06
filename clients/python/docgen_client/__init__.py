"""docgen-client: a small typed client for the docgen-sakip document service."""

from docgen_client.client import ENDED, DocgenClient
from docgen_client.errors import ApiError, DocgenError, ServiceUnreachable
from docgen_client.models import Batch, BatchError, Document, FileInfo

__all__ = ["ENDED", "ApiError", "Batch", "BatchError", "DocgenClient", "DocgenError", "Document", "FileInfo",
           "ServiceUnreachable"]
