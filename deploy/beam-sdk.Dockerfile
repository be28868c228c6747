# Worker image for distributed Beam runners (Dataflow, Flink, Spark portable runners):
# Beam's own Python SDK harness with copydesk and its model installed, so workers need no
# download at start-up. See deploy/dataflow.md and docs/flink.md.
# Build from the repository root:  docker build -f deploy/beam-sdk.Dockerfile -t copydesk-beam .
FROM apache/beam_python3.11_sdk:2.62.0
WORKDIR /opt/copydesk
COPY pyproject.toml README.md ./
COPY pipelines ./pipelines
COPY transforms ./transforms
COPY schemas ./schemas
RUN pip install --no-cache-dir .
# The SDK image's entrypoint (/opt/apache/beam/boot) stays as it is.
