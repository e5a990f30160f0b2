#!/bin/sh
# Prints an HAProxy configuration (haproxy.cfg.in) for N facekit nodes:
#   deploy/haproxy-config.sh BIND HOST:PORT... > haproxy.cfg
# BIND is HAProxy's bind address ("8080", "127.0.0.1:8080", ":443 ssl crt ...").
set -eu
if [ $# -lt 2 ]; then
  echo "usage: $0 BIND HOST:PORT..." >&2
  exit 2
fi
bind=$1
shift
case $bind in *:*) ;; *) bind="127.0.0.1:$bind" ;; esac
servers=""
n=0
for node in "$@"; do
  n=$((n + 1))
  servers="$servers    server node$n $node check
"
done
template="$(dirname "$0")/haproxy.cfg.in"
awk -v bind="$bind" -v servers="$servers" '
  /^@SERVERS@$/ { printf "%s", servers; next }
  { gsub(/@BIND@/, bind); print }
' "$template"
