"""A stage package's public face, loaded on first use.

A package's ``__init__`` runs whenever any of its modules is imported; if the face imported its
Beam composites eagerly, importing a Beam-free core (``transforms.entities.ner``) would import
Beam too. So each face maps its public names to the submodules that define them.
"""

import importlib
from collections.abc import Callable


def lazy_face(package: str, names: dict[str, str]) -> Callable[[str], object]:
    """A module ``__getattr__`` for ``package``: each of ``names`` from its submodule."""

    def __getattr__(name: str) -> object:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{module}"), name)

    return __getattr__
