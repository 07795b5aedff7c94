#!/usr/bin/env bash
# Installs Debian's `prometheus` package (prometheus + promtool) when promtool is missing, for the ops tests
# (tests/ops, e2e/prometheus.test.ts). Tests start their own Prometheus; the packaged service must not run, so it
# is stopped and disabled if the package started one. Called by .ci/run; safe to run again.
set -euo pipefail

if command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1; then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends prometheus >/dev/null
# No service: tests run their own instance on a free loopback port.
if command -v systemctl >/dev/null 2>&1; then
  $sudo systemctl disable --now prometheus >/dev/null 2>&1 || true
fi
if command -v service >/dev/null 2>&1; then
  $sudo service prometheus stop >/dev/null 2>&1 || true
fi
promtool --version | head -1
