#!/usr/bin/env bash
# Installs the pinned k6 into .cache/bin (git-ignored). Idempotent: does nothing when the pinned
# version is already there. The npm package named "k6" is a placeholder, not the tool, so we build
# the real one from the Go module proxy.
#
#   loadtest/k6/install.sh            # then: .cache/bin/k6 version
set -euo pipefail

K6_VERSION="${K6_VERSION:-v1.8.1}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN_DIR="$ROOT/.cache/bin"
K6="$BIN_DIR/k6"

if [[ -x "$K6" ]] && "$K6" version 2>/dev/null | grep -q "k6 ${K6_VERSION}"; then
  echo "k6 ${K6_VERSION} already installed at ${K6}"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "Cannot install k6: 'go' is not on PATH; install Go 1.23 or newer and retry" >&2
  exit 1
fi

mkdir -p "$BIN_DIR"
echo "Building k6 ${K6_VERSION} with $(go version | cut -d' ' -f3) into ${BIN_DIR} (takes a few minutes)..."
GOBIN="$BIN_DIR" CGO_ENABLED=0 go install "go.k6.io/k6@${K6_VERSION}"
"$K6" version
