#!/usr/bin/env bash
# The README's screenshots of the totem's screens (docs/ui-*.png), from the demo configuration at
# its fixed demo clock. The display, desk, phone and statistics pages' screenshots are written by
# their Chromium tests: TOTEM_SHOTS=docs .venv/bin/python -m pytest tests/integration -k "page or surfaces".
set -euo pipefail
cd "$(dirname "$0")/.."
shot() { .venv/bin/kiosk --config config/demo.toml screenshot "$@" >/dev/null; }
for lang in it ar; do
  shot --screen home --lang "$lang" "docs/ui-home-$lang.png"
  shot --screen ticket --lang "$lang" "docs/ui-ticket-$lang.png"
  shot --screen ticket-on-screen --lang "$lang" "docs/ui-ticket-on-screen-$lang.png"
  shot --screen privacy --lang "$lang" "docs/ui-privacy-$lang.png"
  shot --screen home --speech --lang "$lang" "docs/ui-speech-$lang.png"
  shot --screen home --warning --lang "$lang" "docs/ui-warning-$lang.png"
  shot --screen home --large-text --lang "$lang" "docs/ui-home-$lang-large.png"
done
shot --screen home --lang it --size 1920x1080 docs/ui-home-it-landscape.png
shot --screen home --lang en --size 800x1280 docs/ui-home-en-small.png
shot --screen ticket --large-text --high-contrast docs/ui-ticket-it-large-contrast.png
echo "screenshots: docs/ui-*.png"
