#!/usr/bin/env bash
# Set up Synset Browser on Debian/Ubuntu: the system libraries Qt needs, then a venv with the
# app installed in it (editable). Works as root on a bare image (no sudo there) and as a
# user with sudo; apt is skipped when everything is installed already.
#
#   bash scripts/setup.sh [--python PYTHON] [--venv DIR] [--extras test|dev|none]
#
# Defaults: python3, .venv, test (what the README's test command needs).
set -euo pipefail
cd "$(dirname "$0")/.."

python=python3
venv=.venv
extras=test
while [ $# -gt 0 ]; do
    case "$1" in
        --python) python="$2"; shift 2 ;;
        --venv) venv="$2"; shift 2 ;;
        --extras) extras="$2"; shift 2 ;;
        -h | --help) sed -n '2,8p' "$0"; exit 0 ;;
        *) echo "setup.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

# python3 and its venv module (for the system Python), and Qt's runtime libraries.
packages=(python3 python3-venv libegl1 libgl1 libfontconfig1 libglib2.0-0 libdbus-1-3
    libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1
    libxcb-shape0)
missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed"; then
        missing+=("$package")
    fi
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || {
            echo "setup.sh: installing ${missing[*]} needs root: run this as root, or install sudo" >&2
            exit 1
        }
        sudo=(sudo)
    fi
    echo "setup.sh: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    found=$("$python" --version 2>&1 || echo "no $python")
    echo "setup.sh: Synset Browser needs Python 3.11 or newer, and $python is: $found;" \
        "install a newer one and run: bash scripts/setup.sh --python python3.12" >&2
    exit 1
fi

"$python" -m venv "$venv"
spec="."
[ "$extras" = none ] || spec=".[$extras]"
"$venv/bin/pip" install -q --disable-pip-version-check -e "$spec"
echo "setup.sh: ready: $venv/bin/synset-browser ($("$venv/bin/python" --version))" >&2
