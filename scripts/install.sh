#!/usr/bin/env bash
# Set up newsbot on a fresh Debian machine: Chromium (for scrapy-playwright) and a virtualenv in .venv.
#   scripts/install.sh          runtime dependencies
#   scripts/install.sh --test   runtime + test dependencies
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
CHROMIUM=${NEWSBOT_CHROMIUM_PATH:-/usr/bin/chromium}

if [ ! -x "$CHROMIUM" ]; then
    echo "==> installing Debian's chromium (Playwright's own browser download does not work offline)"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
    echo "==> creating .venv with $($PYTHON --version)"
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
if [ "${1:-}" = "--test" ]; then
    echo "==> installing runtime and test dependencies (llama-cpp-python compiles for a few minutes)"
    # A portable llama.cpp build: the native one may use AVX-512/AMX that another CI machine lacks.
    export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON}"
    .venv/bin/python -m pip install -q -r requirements-test.txt
else
    echo "==> installing runtime dependencies"
    .venv/bin/python -m pip install -q -r requirements.txt
fi
echo "==> ready: $(.venv/bin/scrapy version)"
