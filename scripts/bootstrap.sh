#!/usr/bin/env bash
# Prepare this machine for shenbao: Debian packages (CJK font, poppler, graphviz, espeak-ng for
# the audio captcha, Chromium for the browser tests), a Python virtual environment with the
# project installed, and for the accessibility tests axe-core from npm (pinned, into .venv).
# Idempotent: safe to run before every start and every test run.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need+=(fonts-noto-cjk)
# HanaMin A/B: the PDF's fallback for CJK Extension B-F ideographs that Noto lacks (rare names).
[ -f /usr/share/fonts/truetype/hanazono/HanaMinB.ttf ] || need+=(fonts-hanazono)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v dot >/dev/null 2>&1 || need+=(graphviz)  # shenbao diagram --format svg
command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng)
if [ "${SHENBAO_SKIP_BROWSER:-0}" != 1 ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
  command -v npm >/dev/null 2>&1 || need+=(npm)
  # the load balancer of the two-node tests (tests/deploy) and bench/load.py; run as our own process
  [ -x /usr/sbin/nginx ] || need+=(nginx)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "bootstrap: installing Debian packages: ${need[*]}" >&2
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[dev]'
  rm -f .venv/.installed-*
  touch "$stamp"
fi

# axe-core (MPL-2.0) for tests/a11y: installed here, so the tests need no network. Pinned;
# bump the version on purpose and fix what the new rules find.
AXE_VERSION=4.10.3
if [ "${SHENBAO_SKIP_BROWSER:-0}" != 1 ] && ! grep -qs "\"version\": \"$AXE_VERSION\"" .venv/axe/node_modules/axe-core/package.json; then
  npm install -q --prefix .venv/axe --no-save --no-audit --no-fund --no-package-lock --ignore-scripts \
    "axe-core@$AXE_VERSION" >/dev/null
fi
