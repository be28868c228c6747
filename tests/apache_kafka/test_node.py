import base64
import random
import uuid

from tests.apache_kafka import node


def test_a_cluster_id_never_starts_with_a_dash_and_is_a_uuid(monkeypatch):
    # Draws whose first byte encodes to "-" come first, as 1 draw in 64 does.
    draws = iter([bytes([0xF8]) + bytes(15), bytes([0xFB]) + bytes(15), uuid.UUID(int=random.getrandbits(128)).bytes])
    monkeypatch.setattr(node.uuid, "uuid4", lambda: uuid.UUID(bytes=next(draws)))
    found = node.random_cluster_id()
    assert not found.startswith("-") and len(found) == 22
    assert len(base64.urlsafe_b64decode(found + "==")) == 16
