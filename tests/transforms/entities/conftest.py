"""The resolver with the real knowledge, shared by the tests of canonical names and of
homonymous places (the knowledge itself is loaded once per process)."""

import pytest

from transforms.entities.canonical import Resolver
from transforms.entities.knowledge import load_knowledge


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return Resolver(load_knowledge())
