"""The hub's prescription-certifying key: an Ed25519 key that signs the certificates binding
each specialist's key to who they are (``app.security.rx_signatures``).

Created once and kept in the hub database (``meta``) beside the TLS CA, for the same reasons
(hub/tls.py): every hub process on one database and every restored backup has the same key.
Spokes pin its public half at enrolment: it reaches them in the ``POST /v1/enrol`` answer,
over the connection already pinned to the TLS anchor by the enrolment token. Pharmacists get
the same text (``GET /v1/anchor``, the console) to check printed codes offline.

Rotation (a new key that spokes accept because the old one signed it) is future work: a key
that leaks today can only be replaced by enrolling the spokes again.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.security import rx_signatures
from hub.storage import HubStore
from hub.storage._rx import KEY_SIGNING

# KEY_SIGNING: the meta key of the PEM (PKCS#8, Ed25519) that signs specialists' key
# certificates; the store reads it too, to certify a key in the transaction that adds it.
__all__ = ["KEY_SIGNING", "public_key_text", "signing_key"]


def signing_key(store: HubStore) -> Ed25519PrivateKey:
    """The hub's key, created on first use. Blocking (a store call): not on the event loop."""
    stored = store.meta_get(KEY_SIGNING)
    if stored is None:
        proposal = rx_signatures.hub_key_pem(rx_signatures.new_hub_key())
        # Two hub processes starting at once on one database: the first key written wins.
        stored = store.meta_put(KEY_SIGNING, proposal, replace=False)
    return rx_signatures.load_hub_key_pem(stored)


def public_key_text(store: HubStore) -> str:
    """The public half as spokes and pharmacists hold it: base64url of the raw 32 bytes."""
    return rx_signatures.public_key_text(signing_key(store))
