#!/usr/bin/env bash
# Set-up for `--runner FlinkRunner`: Beam's Flink job server for the Beam release pinned in
# pyproject.toml, fetched with Maven (at set-up, never at run time) into DIR (default
# .venv/jars, where copydesk looks for it). Needs Java 17 and Maven; `make run` needs neither.
#   deploy/flink/fetch-job-server.sh [DIR]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
dest=${1:-$root/.venv/jars}
beam=$(sed -n 's/^ *"apache-beam==\([0-9][0-9.]*\)".*/\1/p' "$root/pyproject.toml")
flink=1.19
name="beam-runners-flink-$flink-job-server-$beam"

if [ -z "$beam" ]; then
    echo "fetch-job-server: no apache-beam==X.Y.Z pin found in $root/pyproject.toml." >&2
    exit 1
fi
for tool in java mvn; do
    if ! command -v "$tool" >/dev/null; then
        echo "fetch-job-server: Flink's job server needs Java 17 and Maven; $tool is not on PATH" \
             "(Debian: apt-get install openjdk-17-jdk-headless maven)." >&2
        exit 1
    fi
done

build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
mvn --batch-mode --quiet -Dstyle.color=never --file "$here/job-server.pom.xml" package \
    -Dbeam.version="$beam" -Dflink.version="$flink" -Dbuild.dir="$build"

# The launcher jar names its dependencies relative to itself: both move together.
mkdir -p "$dest"
rm -rf "${dest:?}/$name" "$dest/$name.jar"
mv "$build/$name" "$dest/$name"
mv "$build/$name.jar" "$dest/$name.jar"
echo "Flink job server: $dest/$name.jar"
