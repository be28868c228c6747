import base64
import uuid

from tests.apache_kafka import node


def test_a_cluster_id_never_starts_with_a_dash_and_is_a_uuid(monkeypatch):
    # Two draws whose first byte encodes to "-" (1 draw in 64 does), then one that does not.
    draws = iter([bytes([0xF8]) + bytes(15), bytes([0xFB]) + bytes(15), bytes([0x17]) + bytes(15)])
    monkeypatch.setattr(node.uuid, "uuid4", lambda: uuid.UUID(bytes=next(draws)))
    found = node.random_cluster_id()
    assert base64.urlsafe_b64decode(found + "==") == bytes([0x17]) + bytes(15)
    assert not found.startswith("-") and len(found) == 22
