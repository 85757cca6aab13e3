"""A key revocation is published to every enrolled spoke in the revoking transaction, on both
backends (docs/SYNC.md, ``rx_key.revoked``), and listed for spokes enrolled later
(``key_revocations``, served by ``GET /v1/anchor``)."""

from __future__ import annotations

import pytest

from app.security import rx_signatures
from hub import signing
from hub.storage import HubStore
from hub.storage import _common as common
from tests.hub.test_prescriptions import add_specialist


@pytest.fixture(autouse=True)
def cheap_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "SEAL_LOG_N", 10)


def _revocations(store: HubStore, spoke_id: str) -> list[dict[str, object]]:
    return [c for c in store.pull(spoke_id, 0, 1000).changes if c["op"] == "rx_key.revoked"]


def test_a_reset_publishes_the_signed_revocation_to_every_spoke(hub_store: HubStore) -> None:
    spokes = [hub_store.register_spoke(name)[0] for name in ("HWC Kheri", "HWC Sitapur")]
    add_specialist(hub_store)
    assert hub_store.key_revocations() == []
    assert all(_revocations(hub_store, s) == [] for s in spokes)

    hub_store.set_user_password("dr.mehta", "reset-by-admin")
    old, _new = hub_store.specialist_keys("dr.mehta")
    expected = {"key_id": old["key_id"], "certificate": old["revocation"]}
    for spoke_id in spokes:
        [entry] = _revocations(hub_store, spoke_id)
        assert (entry["entity"], entry["entity_id"]) == ("rx_key", old["key_id"])
        assert entry["payload"] == expected
    assert hub_store.key_revocations() == [expected]
    signed = rx_signatures.decode_certificate(str(old["revocation"]))
    assert signed.certificate.revoked_at is not None
    hub_public = signing.signing_key(hub_store).public_key()
    assert rx_signatures.certificate_signed_by(signed, hub_public)

    later = hub_store.register_spoke("HWC Lakhimpur")[0]
    assert _revocations(hub_store, later) == []  # it asks GET /v1/anchor instead
    # A password change by the specialist (the key resealed) revokes and publishes nothing.
    hub_store.change_own_password("dr.mehta", "reset-by-admin", "changed-by-me")
    assert all(len(_revocations(hub_store, s)) == 1 for s in spokes)
    assert len(hub_store.key_revocations()) == 1


def test_a_specialist_without_a_spoke_and_a_hub_without_spokes(hub_store: HubStore) -> None:
    add_specialist(hub_store)
    hub_store.set_user_password("dr.mehta", "reset-by-admin")  # no spoke to tell: no error
    assert len(hub_store.key_revocations()) == 1
