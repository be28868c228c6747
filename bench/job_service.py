"""Beam's local job service, running each job on as many SDK workers as the job asks for.

Beam's own local job service (``local_job_service_main``) hands every job to an
``FnApiRunner`` left at one worker, whatever ``--sdk_worker_parallelism`` says (2.77:
``BeamJob._invoke_runner`` calls ``run_via_runner_api``, which never reads the worker
count). Flink's and Spark's job servers start ``sdk_worker_parallelism`` SDK workers per
task from the same external pool. This service does the same: it passes the job's option
on to the runner, so ``--sdk_worker_parallelism 2`` gets two workers from the pool, each
given its share of every stage's input.

Run: ``python -m bench.job_service --port N`` (what ``bench.portable`` starts).
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import time

from apache_beam.options.pipeline_options import PortableOptions
from apache_beam.portability.api import beam_job_api_pb2
from apache_beam.runners.portability import local_job_service
from apache_beam.runners.portability.fn_api_runner import fn_runner


def worker_count(parallelism: object) -> int:
    """Workers for a job's ``sdk_worker_parallelism`` (a string when given on a command
    line); 0 or nothing means one, as in Beam's own service."""
    return max(1, int(parallelism or 1))


class ParallelJob(local_job_service.BeamJob):
    """A job of the local service, run on ``sdk_worker_parallelism`` SDK workers."""

    def _invoke_runner(self):
        self.set_state(beam_job_api_pb2.JobState.RUNNING)
        options = self.pipeline_options()
        runner = fn_runner.FnApiRunner(provision_info=self._provision_info)
        # The runner reads its worker count only in run_pipeline (from direct_num_workers);
        # a job arrives as a proto, through run_via_runner_api, so it is set here.
        runner._num_workers = worker_count(options.view_as(PortableOptions).sdk_worker_parallelism)
        return runner.run_via_runner_api(self._pipeline_proto, options)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Local Beam job service with SDK worker parallelism.")
    parser.add_argument("--port", type=int, required=True, help="port of the job API")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    servicer = local_job_service.LocalJobServicer(beam_job_type=ParallelJob)
    port = servicer.start_grpc_server(args.port)
    print(f"Listening for beam jobs on port {port}.", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while True:
            time.sleep(3600)
    finally:
        servicer.stop()


if __name__ == "__main__":
    raise SystemExit(main())
