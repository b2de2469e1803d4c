# Sourced by the scripts: makes sure the project's virtualenv exists and is current, then puts it on PATH.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv"
stamp="$VENV/.bootstrap-stamp"
want="$( { cat requirements/dev.txt pyproject.toml; cat generated/bitly-exports-client/setup.py 2>/dev/null || true; } | sha256sum | cut -c1-16)"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "bootstrap: preparing $VENV (log: $VENV/bootstrap.log)" >&2
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  pip_install() {
    "$VENV/bin/python" -m pip install --disable-pip-version-check "$@" >>"$VENV/bootstrap.log" 2>&1 || {
      tail -n 40 "$VENV/bootstrap.log" >&2
      echo "bootstrap: pip install $* failed" >&2
      exit 1
    }
  }
  pip_install --upgrade "pip>=24"
  pip_install -r requirements/dev.txt
  if [ -f generated/bitly-exports-client/setup.py ]; then
    pip_install -e ./generated/bitly-exports-client -e .
  fi
  echo "$want" > "$stamp"
fi
export PATH="$VENV/bin:$PATH"
export PYTHONDONTWRITEBYTECODE=1
