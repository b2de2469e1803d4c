# Sourced by the scripts: makes sure the project's virtualenv exists and is current, then puts it on PATH.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv"
stamp="$VENV/.bootstrap-stamp"
want="$( { cat requirements/dev.txt pyproject.toml; cat generated/bitly-exports-client/setup.py 2>/dev/null || true; } | sha256sum | cut -c1-16)"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "bootstrap: preparing $VENV" >&2
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
  if [ -f generated/bitly-exports-client/setup.py ]; then
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
      -e ./generated/bitly-exports-client -e .
  fi
  echo "$want" > "$stamp"
fi
export PATH="$VENV/bin:$PATH"
export PYTHONDONTWRITEBYTECODE=1
