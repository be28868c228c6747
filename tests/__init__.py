"""copydesk's tests mirror the package tree: tests/transforms/test_repair.py tests
transforms/repair.py.

Under CI (the CI variable set) hypothesis draws the same examples on every run, so a red
build always points at a change; locally it keeps exploring new ones.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
