#!/usr/bin/env bash
# Installs the Debian packages the full test suite needs, when they are missing:
# pcscd, libpcsclite-dev (headers for the `smartcard` addon), tmux (the shell tests drive a real terminal), vsmartcard-vpcd (the virtual reader
# driver the emulator connects to), pcsc-tools (pcsc_scan, scriptor), opensc (opensc-tool), openssl (the x509_strict check of issued certificates), and gcc
# for the pcscd TCP_NODELAY shim. Needs root for apt-get; without root it only reports what is missing.
set -euo pipefail

need=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for p in pcscd libpcsclite-dev vsmartcard-vpcd pcsc-tools opensc gcc libc6-dev tmux tshark openssl; do
  have_pkg "$p" || need+=("$p")
done

if [ ${#need[@]} -eq 0 ]; then
  echo "install-deps: Debian packages present (pcscd, libpcsclite-dev, vsmartcard-vpcd, pcsc-tools, opensc)"
  exit 0
fi

if [ "$(id -u)" != "0" ]; then
  echo "install-deps: missing Debian packages: ${need[*]}" >&2
  echo "install-deps: not root, so not installing; run: sudo apt-get update && sudo apt-get install -y --no-install-recommends ${need[*]}" >&2
  exit 0
fi

echo "install-deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "install-deps: done"
