"""Signed copies of issued PDFs: checking the signatures that come back (pyHanko), who must sign
which document, and the trust roots signer certificates are checked against.

Imports neither Flask nor Redis: the web process calls it on an upload, tests call it directly.
"""

from signing.parties import required_signatures
from signing.trust import TrustRootError, load_trust_roots
from signing.validation import SignatureFacts, SignedCopy, SignedCopyRejected, check_signed_copy

__all__ = ["SignatureFacts", "SignedCopy", "SignedCopyRejected", "TrustRootError", "check_signed_copy",
           "load_trust_roots", "required_signatures"]
