#!/usr/bin/env bash
# Installs what descent's demo and tests use from the system's package manager: Debian's Fashion-MNIST files
# (the offline data set) and Open MPI (data-parallel runs and their tests). Safe to run again.
set -euo pipefail
pkgs=(dataset-fashion-mnist openmpi-bin libopenmpi-dev)
if ! command -v dpkg >/dev/null 2>&1; then
  echo "setup: not a Debian-like system; install Fashion-MNIST and Open MPI yourself (see README)" >&2
  exit 0
fi
need=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
if [ ${#need[@]} -eq 0 ]; then
  echo "setup: ${pkgs[*]} already installed"
  exit 0
fi
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "setup: installing ${need[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
echo "setup: done"
