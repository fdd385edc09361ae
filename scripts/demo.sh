#!/usr/bin/env bash
# make demo: runs palletizer offline on the bundled example recipes.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=bin/palletizer
for recipe in recipes/examples/*.hcl; do
  echo "== palletizer validate $recipe"
  "$bin" validate "$recipe"
done
echo
echo "== palletizer plan recipes/examples/stacki-mesos.hcl"
"$bin" plan recipes/examples/stacki-mesos.hcl
