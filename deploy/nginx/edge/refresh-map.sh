#!/bin/sh
# Fetches the route table as an nginx map and reloads nginx when it changed. Run it every few
# seconds (a systemd timer or `while sleep 5; do ...; done`). Needs EDGE_TOKEN and OPENCLAW_ROUTER
# (the server's EDGE_ROUTER_URL) in the environment.
set -eu
map=/etc/nginx/openclaw/instances.map
next="$map.next"
# The token goes to curl on stdin, not on its command line (where `ps` would show it).
printf 'header = "Authorization: Bearer %s"\n' "$EDGE_TOKEN" | curl --fail --silent --show-error --max-time 10 --config - --output "$next" "$OPENCLAW_ROUTER/api/routing/nginx"
if cmp -s "$next" "$map"; then rm -f "$next"; exit 0; fi
cp "$map" "$map.previous" 2>/dev/null || true
mv "$next" "$map"
if nginx -t -q; then nginx -s reload; else mv "$map.previous" "$map"; exit 1; fi
