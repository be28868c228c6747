import importlib
import pkgutil

import pytest

import transforms

STAGES = [m.name for m in pkgutil.iter_modules(transforms.__path__) if m.ispkg and m.name != "runtime"]


def test_every_stage_is_a_package_with_a_face():
    assert {"reading", "decoding", "repair", "language", "near_copies", "entities", "writing",
            "state"} <= set(STAGES)


@pytest.mark.parametrize("stage", STAGES)
def test_each_public_name_is_its_modules_object_even_after_every_module_is_imported(stage):
    # Importing a submodule sets an attribute of its package: a public name equal to a
    # submodule's name would then give the module instead of the object.
    package = importlib.import_module(f"transforms.{stage}")
    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"transforms.{stage}.{info.name}")
    assert package.__all__
    for name in package.__all__:
        module = importlib.import_module(f"transforms.{stage}.{package._NAMES[name]}")
        assert getattr(package, name) is getattr(module, name), name
    assert not hasattr(package, "no_such_name")
