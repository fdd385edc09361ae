#!/usr/bin/env bash
# make demo: generates a sample upstream, serves it on loopback and runs palletizer build on the
# stock recipes against it, offline.
set -euo pipefail
cd "$(dirname "$0")/.."
for recipe in recipes/examples/*.hcl; do
  bin/palletizer validate "$recipe"
done
go run ./internal/demo -palletizer bin/palletizer -work .demo -out out
