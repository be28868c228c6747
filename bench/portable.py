"""A local Beam job service and an external worker pool, as separate processes.

This is the protocol Flink's and Spark's portable runners use with Python worker pools:
the pipeline is submitted with ``--runner PortableRunner --job_endpoint localhost:N`` and
its work runs in SDK workers that a pool (``worker_pool_main``) starts on request
(``--environment_type EXTERNAL --environment_config localhost:M``). Both services start
offline.

The pool starts each worker as ``python -c ...`` found on ``PATH``, not with its own
interpreter, so the services get this interpreter's folder first on ``PATH`` (the venv's
``python``) and the repository root on ``PYTHONPATH`` and as working directory: the workers
then import ``transforms``, ``schemas`` and ``pipelines`` like the launching process.

    with portable_services() as services:
        run_files(files, output, stem, config, services.pipeline_args())
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Iterator

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class ServiceError(RuntimeError):
    """A service did not start; the message says which and where its log is."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("localhost", 0))
        return sock.getsockname()[1]


def service_environment() -> dict[str, str]:
    """This interpreter's folder first on PATH, the repository importable from anywhere."""
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    paths = [REPO_ROOT] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


def _listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("localhost", port)) == 0


@dataclass
class PortableServices:
    job_port: int
    worker_port: int
    log_dir: str
    processes: list[subprocess.Popen] = field(default_factory=list)

    @property
    def job_endpoint(self) -> str:
        return f"localhost:{self.job_port}"

    @property
    def worker_endpoint(self) -> str:
        return f"localhost:{self.worker_port}"

    def pipeline_args(self, parallelism: int | None = None) -> list[str]:
        """Beam flags that send a pipeline to these services."""
        args = [
            "--runner=PortableRunner",
            f"--job_endpoint={self.job_endpoint}",
            "--environment_type=EXTERNAL",
            f"--environment_config={self.worker_endpoint}",
        ]
        if parallelism:
            args.append(f"--sdk_worker_parallelism={parallelism}")
        return args

    def worker_processes(self) -> list[int]:
        """Process ids of the SDK workers the pool has started (children of the pool)."""
        import psutil

        found = []
        for process in self.processes:
            try:
                found += [child.pid for child in psutil.Process(process.pid).children(recursive=True)]
            except psutil.NoSuchProcess:
                continue
        return found

    def stop(self, timeout: float = 10.0) -> None:
        """Stop both services and the workers they started (each runs in its own process
        group, so the group is exactly what this object started)."""
        for process in self.processes:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in self.processes:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()


def _start(command: list[str], log_path: str) -> subprocess.Popen:
    log = open(log_path, "wb")  # noqa: SIM115 (the child owns it; closed when it exits)
    try:
        return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=REPO_ROOT,
                                env=service_environment(), start_new_session=True)
    finally:
        log.close()


BEAM_JOB_SERVICE = "apache_beam.runners.portability.local_job_service_main"


def start_services(log_dir: str | None = None, timeout: float = 90.0,
                   job_service: str = BEAM_JOB_SERVICE) -> PortableServices:
    """Start the job service and the worker pool on free ports; wait until both listen.
    ``job_service``: its module (``bench.job_service`` honours ``sdk_worker_parallelism``)."""
    log_dir = log_dir or tempfile.mkdtemp(prefix="copydesk-portable-")
    os.makedirs(log_dir, exist_ok=True)
    services = PortableServices(free_port(), free_port(), log_dir)
    python = sys.executable
    commands = {
        "job service": ([python, "-m", job_service, "--port", str(services.job_port)],
                        "job_service.log", services.job_port),
        "worker pool": ([python, "-m", "apache_beam.runners.worker.worker_pool_main",
                         "--service_port", str(services.worker_port)], "worker_pool.log",
                        services.worker_port),
    }
    try:
        for command, log_name, _ in commands.values():
            services.processes.append(_start(command, os.path.join(log_dir, log_name)))
        deadline = time.monotonic() + timeout
        for (name, (_, log_name, port)), process in zip(commands.items(), services.processes):
            while not _listening(port):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise ServiceError(
                        f"The Beam {name} did not start on port {port}; see "
                        f"{os.path.join(log_dir, log_name)}."
                    )
                time.sleep(0.2)
    except BaseException:
        services.stop()
        raise
    return services


@contextlib.contextmanager
def portable_services(log_dir: str | None = None) -> Iterator[PortableServices]:
    services = start_services(log_dir)
    try:
        yield services
    finally:
        services.stop()
