"""``copydesk-sdk-worker``: a Python SDK worker that a Flink task manager starts as a process.

Beam's PROCESS environment runs a command the way its SDK containers run their boot
program: ``COMMAND --id=ID --provision_endpoint=HOST:PORT [--semi_persist_dir=DIR]``. The
boot program asks the provision service for the job's options and endpoints, then starts
Beam's worker harness with them in its environment; this does the same in Python. It
installs nothing: the worker runs the copydesk installed beside it, the launcher's own.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

HARNESS = "apache_beam.runners.worker.sdk_worker_main"


def harness_environment(worker_id: str, provision_endpoint: str,
                        semi_persist_dir: str | None = None) -> dict[str, str]:
    """What Beam's worker harness reads from its environment, from the provision service."""
    import grpc
    from apache_beam.portability.api import beam_provision_api_pb2, beam_provision_api_pb2_grpc
    from google.protobuf import json_format, text_format

    with grpc.insecure_channel(provision_endpoint) as channel:
        info = beam_provision_api_pb2_grpc.ProvisionServiceStub(channel).GetProvisionInfo(
            beam_provision_api_pb2.GetProvisionInfoRequest(), metadata=[("worker_id", worker_id)]
        ).info
    env = {
        "WORKER_ID": worker_id,
        "PIPELINE_OPTIONS": json_format.MessageToJson(info.pipeline_options),
        "CONTROL_API_SERVICE_DESCRIPTOR": text_format.MessageToString(info.control_endpoint),
        "LOGGING_API_SERVICE_DESCRIPTOR": text_format.MessageToString(info.logging_endpoint),
        "RUNNER_CAPABILITIES": " ".join(info.runner_capabilities),
    }
    if info.HasField("status_endpoint"):
        env["STATUS_API_SERVICE_DESCRIPTOR"] = text_format.MessageToString(info.status_endpoint)
    if semi_persist_dir:
        env["SEMI_PERSISTENT_DIRECTORY"] = semi_persist_dir
    return env


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="copydesk-sdk-worker", description=__doc__.splitlines()[0])
    parser.add_argument("--id", required=True, help="the worker id the runner gave")
    parser.add_argument("--provision_endpoint", required=True, help="HOST:PORT")
    parser.add_argument("--semi_persist_dir", help="a folder kept across the worker's restarts")
    # Endpoints an external worker pool also passes; the provision service names them too.
    args, _ = parser.parse_known_args(argv)
    env = dict(os.environ, **harness_environment(args.id, args.provision_endpoint,
                                                 args.semi_persist_dir))
    os.execve(sys.executable, [sys.executable, "-m", HARNESS], env)


if __name__ == "__main__":
    main()
