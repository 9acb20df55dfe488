#!/usr/bin/env bash
# Adds a Docker host as a worker: creates it through the admin API, reads the engine's memory and
# CPUs, and registers its endpoint and capacity with the new worker key. Prints the key once: give it
# to `openclaw-cloud worker-agent` on that host (OPENCLAW_WORKER_KEY) for heartbeats with live stats.
#
#   OPENCLAW_CLOUD_URL=https://cloud.example.com OPENCLAW_CLOUD_TOKEN=ocp_... \
#     scripts/add-worker.sh NAME DOCKER_URL [LABEL=VALUE ...]
#
# DOCKER_URL: unix:///var/run/docker.sock, or tcp://host:2376 with ca.pem, cert.pem and key.pem in
# $DOCKER_CERT_PATH (plain TCP is refused: an open Docker port is root on that host).
# OPENCLAW_CLOUD_TOKEN: an admin's access token or personal API token. WORKER_CPU_OVERCOMMIT (default 4)
# is the CPUs offered per core.
set -euo pipefail

usage() { echo "usage: OPENCLAW_CLOUD_URL=... OPENCLAW_CLOUD_TOKEN=... $0 NAME DOCKER_URL [LABEL=VALUE ...]" >&2; exit 64; }
fail() { echo "add-worker: $*" >&2; exit 1; }

[ $# -ge 2 ] || usage
name=$1 docker_url=$2
shift 2
: "${OPENCLAW_CLOUD_URL:?set OPENCLAW_CLOUD_URL to the control plane, e.g. https://cloud.example.com}"
: "${OPENCLAW_CLOUD_TOKEN:?set OPENCLAW_CLOUD_TOKEN to an admin access or API token}"
overcommit=${WORKER_CPU_OVERCOMMIT:-4}
command -v jq >/dev/null || fail "needs jq"

labels='{}'
for label in "$@"; do
  [[ $label == *=* ]] || fail "label '$label' must be key=value"
  labels=$(jq -c --arg k "${label%%=*}" --arg v "${label#*=}" '. + {($k): $v}' <<<"$labels")
done

# The engine's own figures, over the same endpoint the control plane will use.
tls='null'
case $docker_url in
  unix://*) info=$(curl -fsS --max-time 10 --unix-socket "${docker_url#unix://}" http://docker/info) || fail "Docker at $docker_url does not answer" ;;
  tcp://*)
    certs=${DOCKER_CERT_PATH:?set DOCKER_CERT_PATH to a directory with ca.pem, cert.pem and key.pem for $docker_url}
    hostport=${docker_url#tcp://}
    info=$(curl -fsS --max-time 10 --cacert "$certs/ca.pem" --cert "$certs/cert.pem" --key "$certs/key.pem" "https://$hostport/info") || fail "Docker at $docker_url does not answer over TLS"
    tls=$(jq -n --rawfile ca "$certs/ca.pem" --rawfile cert "$certs/cert.pem" --rawfile key "$certs/key.pem" '{ca: $ca, cert: $cert, key: $key}') ;;
  *) fail "DOCKER_URL must start with unix:// or tcp://" ;;
esac
capacity=$(jq -c --argjson over "$overcommit" '{memory: .MemTotal, cpu: (.NCPU * $over)}' <<<"$info")

api() { # METHOD PATH BODY AUTH -> body on success, the error message otherwise
  local answer status
  answer=$(curl -sS --max-time 30 -X "$1" -H "authorization: Bearer $4" -H 'content-type: application/json' -d "$3" -w '\n%{http_code}' "${OPENCLAW_CLOUD_URL%/}$2") || fail "$OPENCLAW_CLOUD_URL does not answer"
  status=${answer##*$'\n'}
  answer=${answer%$'\n'*}
  [[ $status == 2* ]] || fail "$1 $2: HTTP $status: $(jq -r '.message // .' <<<"$answer" 2>/dev/null || echo "$answer")"
  printf '%s' "$answer"
}

created=$(api POST /api/admin/workers "$(jq -nc --arg name "$name" --argjson labels "$labels" '{name: $name, labels: $labels}')" "$OPENCLAW_CLOUD_TOKEN")
key=$(jq -r .key <<<"$created")
registration=$(jq -nc --arg endpoint "$docker_url" --argjson tls "$tls" --argjson labels "$labels" --argjson capacity "$capacity" \
  '{endpoint: $endpoint, labels: $labels, capacity: $capacity} + (if $tls == null then {} else {tls: $tls} end)')
worker=$(api POST /api/workers/register "$registration" "$key")

jq -r '"worker \(.name) (\(.id)) is \(.state): \(.capacity.memory) bytes, \(.capacity.cpu) CPUs at \(.endpoint)"' <<<"$worker"
echo "worker key (shown once). Run the agent on that host with it, or the worker goes offline once WORKER_HEARTBEAT_TIMEOUT passes without a heartbeat:"
echo "OPENCLAW_WORKER_KEY=$key"
