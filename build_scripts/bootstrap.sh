#!/usr/bin/env bash
# One entry point that sets up everything SOR Viewer needs on a fresh Debian/Ubuntu
# machine, then either starts the app or runs the whole test suite.
#
#   bash build_scripts/bootstrap.sh run [FILE]   set up, then open the window
#   bash build_scripts/bootstrap.sh test         set up, then lint, type-check and test
#   bash build_scripts/bootstrap.sh setup        set up only
#   bash build_scripts/bootstrap.sh system       only the system libraries Qt needs (CI)
#
# System libraries Qt needs are installed with apt only when dpkg says they are
# missing; the Python side lives in .venv beside this repo and is reinstalled
# only when pyproject.toml changes.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
mode="${1:-run}"
[ $# -gt 0 ] && shift

# Qt's xcb/offscreen plugins and fonts; xvfb/xauth for screenshots and the build smoke test.
sys_pkgs=(libegl1 libgl1 libx11-6 libdbus-1-3 libfontconfig1 libfreetype6 libglib2.0-0
  libxkbcommon0 fonts-dejavu-core libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0
  libxcb-render-util0 libxcb-render0 libxcb-shape0 libxcb-util1 libxcb-xkb1 libxkbcommon-x11-0
  binutils)

install_system_packages() {
  command -v dpkg-query >/dev/null 2>&1 || { echo "note: not a Debian system; install Qt's libraries yourself if the window fails to open"; return 0; }
  local missing=()
  for p in "${sys_pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing system packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_spreadsheet() {
  # The e2e spreadsheet test opens our XLSX, Excel CSV and clipboard HTML in LibreOffice
  # Calc (headless) to check that ids, leading zeros and dates survive; test mode only.
  command -v soffice >/dev/null 2>&1 && return 0
  command -v dpkg-query >/dev/null 2>&1 || { echo "note: not a Debian system; install LibreOffice Calc for the spreadsheet test"; return 0; }
  echo "Installing LibreOffice Calc without a GUI (libreoffice-calc-nogui)"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    libreoffice-calc-nogui >/dev/null
}

ensure_venv_module() {
  # Debian splits venv/ensurepip into python3-venv; install it only when it is missing.
  local py="$1"
  "$py" -c "import ensurepip, venv" >/dev/null 2>&1 && return 0
  command -v dpkg-query >/dev/null 2>&1 || return 0
  local ver
  ver="$("$py" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "Installing python${ver}-venv"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "python${ver}-venv" >/dev/null 2>&1 || \
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
      python3-venv >/dev/null
}

setup_python() {
  local py="${PYTHON:-python3}"
  if [ ! -x .venv/bin/python ]; then
    ensure_venv_module "$py"
    "$py" -m venv .venv || { echo "error: '$py -m venv' failed; install python3-venv (apt-get install python3-venv)"; exit 1; }
  fi
  local stamp=".venv/.sorviewer-installed"
  local want
  want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e ".[test,build]"
    echo "$want" > "$stamp"
  fi
}

if [ "$mode" = "system" ]; then
  install_system_packages
  exit 0
fi

install_system_packages
setup_python

case "$mode" in
  setup) ;;
  run)
    exec .venv/bin/python main.py "$@"
    ;;
  test)
    install_spreadsheet
    export QT_QPA_PLATFORM=offscreen
    echo "== ruff lint"; .venv/bin/ruff check .
    echo "== ruff format"; .venv/bin/ruff format --check .
    echo "== mypy (sorviewer and ui)"; .venv/bin/mypy
    echo "== import contracts"; .venv/bin/lint-imports
    echo "== pytest"; exec .venv/bin/python -m pytest "$@"
    ;;
  *)
    echo "usage: bash build_scripts/bootstrap.sh run [FILE] | test | setup | system" >&2
    exit 2
    ;;
esac
