import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from transforms.runtime.allocator import keep_freed_memory

FAULTS = """
import resource, sys
import numpy as np
if sys.argv[1] == "kept":
    from transforms.runtime.allocator import keep_freed_memory
    assert keep_freed_memory()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(30):
    arrays = [np.ones(1 << 17) for _ in range(64)]  # a batch's worth of 1 MB arrays, used
    del arrays
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's allocator only")
def test_freed_memory_is_reused_instead_of_faulted_in_again():
    # Without the settings an earlier test may have exported into this process's environment.
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}

    def faults(mode: str) -> int:
        done = subprocess.run([sys.executable, "-c", FAULTS, mode], capture_output=True, text=True,
                              check=True, cwd=Path(__file__).resolve().parents[3], env=clean)
        return int(done.stdout.split()[-1])

    assert faults("kept") * 5 < faults("default")


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's allocator only")
def test_settings_are_exported_for_worker_processes_and_a_users_own_are_kept(monkeypatch):
    monkeypatch.setenv("MALLOC_TOP_PAD_", "1048576")
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    assert keep_freed_memory()
    assert os.environ["MALLOC_TOP_PAD_"] == "1048576"
    assert os.environ["MALLOC_TRIM_THRESHOLD_"] == str(256 << 20)
