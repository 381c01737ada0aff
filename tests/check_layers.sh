#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The layers of docs/architecture.md, checked on the includes: sim/ includes nothing of
# models/, and each layer of models/ includes only itself and the layers before it
# (care, regulator -> money -> run). Usage: check_layers.sh SOURCE_DIR
set -euo pipefail
cd "$1"
allowed() {  # layer: the models/ folders its files may include
  case $1 in
    care) echo "care" ;;
    regulator) echo "regulator" ;;
    money) echo "care regulator money" ;;
    run) echo "care regulator money run" ;;
  esac
}
bad=0
if grep -rn '#include "models/' sim/; then
  echo "sim/ must not include models/ (the engine knows nothing about hospitals)"; bad=1
fi
for layer in care regulator money run; do
  ok=$(allowed "$layer")
  while IFS= read -r line; do
    target=$(sed -E 's|.*#include "models/([a-z_]+)/.*|\1|' <<<"$line")
    if [[ " $ok " != *" $target "* ]]; then
      echo "$line: models/$layer may include only models/{${ok// /,}}"; bad=1
    fi
  done < <(grep -rn '#include "models/' "models/$layer" || true)
done
if [[ -n $(find models -maxdepth 1 -name '*.[ch]pp') ]]; then
  echo "a source file directly in models/: put it in the folder of its layer"; bad=1
fi
((bad == 0)) && echo "layers: every include of sim/ and models/ follows docs/architecture.md"
exit $bad
