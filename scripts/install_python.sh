#!/usr/bin/env bash
# The Python half of `make setup`: .venv with the packages of pyproject.toml (and its dev extras).
#
# uv (from PyPI, installed into .venv itself) installs them: about 10 s on a machine whose uv cache is warm and
# a few times faster than pip on a cold one. pip for uv comes straight from Python's own bundled wheel (ensurepip's),
# so the venv is made without first installing pip into it (5 s saved). Should any of that fail (no uv wheel for
# the platform, an index uv cannot read), pip installs everything, as before.
# A pip mirror set in PIP_INDEX_URL or pip's configuration (index-url) is used by uv too.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
VENV=.venv
PY="$VENV/bin/python"
PACKAGES=(-e '.[dev]')
# psycopg2 compiles against libpq; where that is missing the binary wheel installs instead (never both).
POSTGRES=""
if [ -n "${DATABASE_URL:-}" ] || command -v pg_config >/dev/null; then POSTGRES=1; fi

[ -x "$PY" ] || "$PYTHON" -m venv --without-pip "$VENV"

quietly() {
  # Run a command, showing its output only when it fails.
  local log
  log="$(mktemp)"
  if "$@" >"$log" 2>&1; then rm -f "$log"; return 0; fi
  cat "$log" >&2
  rm -f "$log"
  return 1
}

bundled_pip() {
  # pip run from the wheel that ships with Python (ensurepip's), without installing it.
  local wheel
  wheel="$("$PY" -c 'import ensurepip, glob, os
print(sorted(glob.glob(os.path.join(os.path.dirname(ensurepip.__file__), "_bundled", "pip-*.whl")))[-1])')" || return 1
  "$PY" "$wheel/pip" --disable-pip-version-check "$@"
}

pip_index_url() {
  # index-url from pip's configuration files (what `pip config list` reads), without starting pip.
  "$PY" - <<'PY' 2>/dev/null || true
import configparser, os, pathlib
home = pathlib.Path.home()
xdg = os.environ.get("XDG_CONFIG_HOME") or str(home / ".config")
files = ["/etc/pip.conf", *(f"{d}/pip/pip.conf" for d in os.environ.get("XDG_CONFIG_DIRS", "/etc/xdg").split(":")),
         str(home / ".pip" / "pip.conf"), f"{xdg}/pip/pip.conf", os.environ.get("PIP_CONFIG_FILE", "")]
found = ""
for name in files:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(name, encoding="utf-8")
    except (configparser.Error, OSError):
        continue
    for section in ("global", "install"):
        found = parser.get(section, "index-url", fallback=found).strip() or found
print(found)
PY
}

with_uv() {
  if [ ! -x "$VENV/bin/uv" ]; then
    if [ -x "$VENV/bin/pip" ]; then quietly "$PY" -m pip install --disable-pip-version-check uv || return 1
    else quietly bundled_pip install uv || return 1; fi
  fi
  if [ -z "${UV_DEFAULT_INDEX:-}${UV_INDEX_URL:-}" ]; then
    local mirror
    mirror="${PIP_INDEX_URL:-$(pip_index_url)}"
    if [ -n "$mirror" ]; then export UV_DEFAULT_INDEX="$mirror"; fi
  fi
  local uv=("$VENV/bin/uv" pip install --quiet --python "$PY")
  echo "    用 uv 安装（依赖约 100 个包）……"
  # pip stays in the venv for whoever runs `.venv/bin/python -m pip` later.
  "${uv[@]}" "${PACKAGES[@]}" pip || return 1
  if [ -n "$POSTGRES" ]; then "${uv[@]}" psycopg2 || "${uv[@]}" psycopg2-binary || return 1; fi
}

with_pip() {
  echo "    uv 不可用，改用 pip 安装（较慢，首次约 1–2 分钟）……"
  [ -x "$VENV/bin/pip" ] || "$PY" -m ensurepip --upgrade >/dev/null
  "$PY" -m pip install --quiet --disable-pip-version-check "${PACKAGES[@]}"
  if [ -n "$POSTGRES" ]; then
    "$PY" -m pip install --quiet psycopg2 || "$PY" -m pip install --quiet psycopg2-binary
  fi
}

if [ "${PYTHON_INSTALLER:-uv}" = "pip" ] || ! with_uv; then with_pip; fi
