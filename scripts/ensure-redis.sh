#!/usr/bin/env bash
# The tests start their own Redis servers (Debian's redis-server, built with TLS); install it when
# missing. redis-benchmark (redis-tools) comes with it, for bench/probe.py.
set -euo pipefail
if command -v redis-server > /dev/null && command -v redis-benchmark > /dev/null; then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo > /dev/null || { echo "redis-server is missing and needs root to install: apt-get install redis-server" >&2; exit 1; }
  sudo="sudo"
fi
echo "Installing Redis (Debian's redis-server package) for the tests..."
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server redis-tools > /dev/null
# The tests run their own servers on free ports; the packaged one is not needed.
if command -v systemctl > /dev/null && [ -d /run/systemd/system ]; then
  $sudo systemctl stop redis-server 2> /dev/null || true
elif command -v service > /dev/null; then
  $sudo service redis-server stop 2> /dev/null || true
fi
