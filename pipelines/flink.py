"""``--runner FlinkRunner`` with no other flag: the job server set-up fetched, an embedded
Flink on every core, the work in SDK worker processes.

Set-up (``make flink``, part of ``make test``; ``deploy/flink/fetch-job-server.sh``) puts
Beam's Flink job server under the environment copydesk runs in (``<venv>/jars``).
``flink_defaults`` fills in what the command line leaves out:

- ``--flink_job_server_jar``: that jar; Beam would otherwise download one at run time.
- ``--flink_master [local]``: the job server's embedded Flink.
- ``--parallelism``, locally: the machine's cores.
- ``--environment_type PROCESS``: each task manager starts ``copydesk-sdk-worker``
  processes (``pipelines.sdk_worker``), ``--sdk_worker_parallelism`` of them (locally, one
  per core), where Beam's default for a local Flink runs every stage inside the launcher.
- ``--environment_cache_millis``: workers live as long as the job; with Beam's default
  (0) every stage starts new ones, each loading the spaCy model again.
"""

from __future__ import annotations

import json
import os
import shutil
import sys

from pipelines.runners import RunnerError

FLINK_VERSION = "1.19"
LOCAL_MASTERS = ("[local]", "[auto]")
WORKER_COMMAND = "copydesk-sdk-worker"
# Longer than any job: the workers end with the job, not between its stages.
WORKER_CACHE_MILLIS = 24 * 3600 * 1000


def jar_folder() -> str:
    """Where set-up puts the job server: beside the environment copydesk is installed in."""
    return os.path.join(sys.prefix, "jars")


def job_server_jar() -> str:
    import apache_beam

    name = f"beam-runners-flink-{FLINK_VERSION}-job-server-{apache_beam.__version__}.jar"
    return os.path.join(jar_folder(), name)


def worker_command() -> str:
    """The SDK worker's launcher, from the same environment as this interpreter."""
    found = shutil.which(WORKER_COMMAND, path=os.path.dirname(sys.executable))
    if found is None:
        raise RunnerError(f"{WORKER_COMMAND} is not installed beside {sys.executable}; "
                          "reinstall copydesk (pip install -e .) to run on Flink")
    return found


def flink_defaults(given: dict) -> list[str]:
    """Flags for what ``given`` (the options set on the command line) leaves out."""
    defaults = []
    if not given.get("flink_job_server_jar"):
        jar = job_server_jar()
        if not os.path.exists(jar):
            raise RunnerError(f"Flink's job server is not set up ({jar} is missing); run "
                              "`make flink` (needs Java 17 and Maven) or pass --flink_job_server_jar")
        defaults.append(f"--flink_job_server_jar={jar}")
    master = given.get("flink_master", "[local]")
    local = master in LOCAL_MASTERS
    if "flink_master" not in given:
        defaults.append("--flink_master=[local]")
    parallelism = given.get("parallelism")
    if local and not parallelism:
        parallelism = os.cpu_count() or 1
        defaults.append(f"--parallelism={parallelism}")
    if not given.get("environment_type"):
        defaults += ["--environment_type=PROCESS",
                     "--environment_config=" + json.dumps({"command": worker_command()})]
        if local and not given.get("sdk_worker_parallelism"):
            defaults.append(f"--sdk_worker_parallelism={parallelism}")
    if not given.get("environment_cache_millis"):
        defaults.append(f"--environment_cache_millis={WORKER_CACHE_MILLIS}")
    return defaults
