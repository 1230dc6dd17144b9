#!/usr/bin/env bash
# Set up newsbot on a fresh Debian machine: Chromium (for scrapy-playwright) and a virtualenv in .venv.
#   scripts/install.sh          runtime dependencies
#   scripts/install.sh --test   runtime + test dependencies
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
CHROMIUM=${NEWSBOT_CHROMIUM_PATH:-/usr/bin/chromium}

# Debian's chromium (Playwright's own browser download does not work offline), and CJK fonts so the
# HTML report renders its Chinese text and its 🔥📌📄 marks in Chromium instead of empty boxes.
APT_PACKAGES=()
[ -x "$CHROMIUM" ] || APT_PACKAGES+=(chromium)
if ! fc-list :lang=zh 2>/dev/null | grep -q .; then APT_PACKAGES+=(fonts-noto-cjk); fi
if ! fc-list 2>/dev/null | grep -qi "color emoji"; then APT_PACKAGES+=(fonts-noto-color-emoji); fi
if [ ${#APT_PACKAGES[@]} -gt 0 ]; then
    echo "==> installing Debian packages: ${APT_PACKAGES[*]}"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${APT_PACKAGES[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
    echo "==> creating .venv with $($PYTHON --version)"
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
if [ "${1:-}" = "--test" ]; then
    echo "==> installing runtime and test dependencies"
    .venv/bin/python -m pip install -q -r requirements-test.txt
    if ! .venv/bin/python -c "import llama_cpp.server" 2>/dev/null; then
        echo "==> building llama-cpp-python (about 4 minutes on 2 cores)"
        # Portable CPU flags, and no cached wheel: a native build elsewhere may use AVX-512/AMX
        # instructions this machine lacks, and dies with SIGILL on its first request.
        CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON}" \
            .venv/bin/python -m pip install -q --no-cache-dir "llama-cpp-python[server]==0.3.36"
    fi
else
    echo "==> installing runtime dependencies"
    .venv/bin/python -m pip install -q -r requirements.txt
fi
echo "==> ready: $(.venv/bin/scrapy version)"
