"""copydesk's tests mirror the package tree: tests/transforms/repair/test_repair.py tests
transforms/repair/repair.py.

Test pipelines run on the FnApiRunner: Beam's DirectRunner would first try to download
its Prism runner, and nothing may be downloaded at test time.

Under CI (the CI variable set) hypothesis draws the same examples on every run, so a red
build always points at a change; locally it keeps exploring new ones.
"""

import os

from apache_beam.testing.test_pipeline import TestPipeline
from hypothesis import settings

from pipelines.runners import LOCAL_RUNNER

TestPipeline.pytest_test_pipeline_options = f"--runner={LOCAL_RUNNER}"

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
