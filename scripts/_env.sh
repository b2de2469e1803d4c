# Sourced by the scripts: makes sure the project's virtualenv exists and matches uv.lock, then puts it
# on PATH. On a fresh machine it first installs uv (pinned, with pip, into .tools/uv, gitignored).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv"
UV_VERSION="0.13.9"
stamp="$VENV/.bootstrap-stamp"
want="$(cat uv.lock pyproject.toml generated/bitly-exports-client/pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  started=$SECONDS
  echo "bootstrap: syncing $VENV with uv.lock (log: $ROOT/.tools/bootstrap.log)" >&2
  mkdir -p "$ROOT/.tools"
  log="$ROOT/.tools/bootstrap.log"
  : >"$log"
  uv="$ROOT/.tools/uv/bin/uv"
  if [ "$("$uv" --version 2>/dev/null)" != "uv $UV_VERSION" ]; then
    if command -v uv >/dev/null && [ "$(uv --version 2>/dev/null | cut -d' ' -f1-2)" = "uv $UV_VERSION" ]; then
      uv="$(command -v uv)"
    else
      rm -rf "$ROOT/.tools/uv"
      python3 -m pip install --disable-pip-version-check --quiet --target "$ROOT/.tools/uv" \
        "uv==$UV_VERSION" >>"$log" 2>&1 || {
        tail -n 40 "$log" >&2
        echo "bootstrap: pip install uv==$UV_VERSION failed" >&2
        exit 1
      }
    fi
  fi
  # --locked: the lock is the truth; a pyproject.toml that disagrees with it is an error, not a re-lock.
  UV_PROJECT_ENVIRONMENT="$VENV" UV_PYTHON_DOWNLOADS=never "$uv" sync --locked --all-extras \
    --python "$(command -v python3)" >>"$log" 2>&1 || {
    tail -n 40 "$log" >&2
    echo "bootstrap: uv sync --locked failed (after editing pyproject.toml: run .tools/uv/bin/uv lock)" >&2
    exit 1
  }
  echo "$want" >"$stamp"
  echo "bootstrap: done in $((SECONDS - started)) s" >&2
fi
export PATH="$VENV/bin:$PATH"
export PYTHONDONTWRITEBYTECODE=1
