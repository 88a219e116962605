#!/usr/bin/env bash
# The tests start their own PostgreSQL server (Debian's binaries); install them when missing.
set -euo pipefail
if compgen -G "/usr/lib/postgresql/*/bin/initdb" > /dev/null; then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo > /dev/null || { echo "PostgreSQL is missing and needs root to install: apt-get install postgresql" >&2; exit 1; }
  sudo="sudo"
fi
echo "Installing PostgreSQL (Debian's postgresql package) for the tests..."
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql > /dev/null
# The tests run their own server in a temporary directory; the packaged cluster is not needed.
if command -v pg_ctlcluster > /dev/null; then
  for cluster in /etc/postgresql/*/main; do
    [ -d "$cluster" ] || continue
    version=$(basename "$(dirname "$cluster")")
    $sudo pg_ctlcluster "$version" main stop 2> /dev/null || true
  done
fi
