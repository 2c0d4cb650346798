#!/usr/bin/env bash
# Builds the playground (the Rust core compiled to WebAssembly by wasm-pack)
# and serves www/ on 127.0.0.1. PORT picks the port (default 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/setup
wasm-pack build --release --target web --out-dir www/pkg --no-typescript
port="${PORT:-8080}"
echo
echo "ftkv playground: open http://127.0.0.1:${port}/  (Ctrl-C stops it)"
exec python3 -m http.server "$port" --bind 127.0.0.1 --directory www
