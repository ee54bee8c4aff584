#!/usr/bin/env bash
# System packages the tests need, installed only when missing:
#   chromium        headless browser for tests/browser (renders map.html)
#   fonts-noto-cjk  Chinese glyphs for the print maps (no tofu boxes)
# Runs apt-get only on Debian/Ubuntu as root (as CI does); elsewhere it prints what to install
# and exits 0, and the browser test skips (it fails instead when CI=true).
set -eu
need=()
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  need+=(chromium)
fi
if ! ls /usr/share/fonts/opentype/noto/NotoSansCJK-*.ttc >/dev/null 2>&1; then
  need+=(fonts-noto-cjk)
fi
if [ "${#need[@]}" -eq 0 ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1 || [ "$(id -u)" -ne 0 ]; then
  echo "tests/setup_system.sh: please install ${need[*]} (needs apt-get as root); continuing" >&2
  exit 0
fi
echo "tests/setup_system.sh: apt-get install ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
