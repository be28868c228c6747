import gc
import weakref

from transforms.runtime.collector import spare_loaded


class Loaded:
    pass


def test_spared_objects_leave_the_collector_yet_are_freed_when_dropped():
    loaded = Loaded()
    before = gc.get_freeze_count()
    try:
        spare_loaded()
        assert gc.get_freeze_count() > before
        assert not any(o is loaded for o in gc.get_objects())
        freed = []
        weakref.finalize(loaded, freed.append, True)
        del loaded
        assert freed == [True]
    finally:
        gc.unfreeze()
