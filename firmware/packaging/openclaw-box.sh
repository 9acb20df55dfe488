#!/bin/sh
# openclaw-box: the box daemon's command, on the Node 24 runtime shipped inside the package.
exec /opt/openclaw-box/node/bin/node /opt/openclaw-box/dist/firmware/cli.js "$@"
