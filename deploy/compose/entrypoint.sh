#!/bin/sh
# Gives each replica of a scaled service (docker compose --scale text=3) its
# own snowflake node id when none is set: the low 10 bits of its address on
# the compose network, which Docker hands out one by one, so replicas differ
# as long as the network has fewer than 1024 containers.
set -eu
if [ -z "${DRIFTWAY_SERVER_NODE_ID:-}" ]; then
    ip=$(hostname -i | cut -d' ' -f1)
    o3=$(echo "$ip" | cut -d. -f3)
    o4=$(echo "$ip" | cut -d. -f4)
    DRIFTWAY_SERVER_NODE_ID=$(( (o3 * 256 + o4) % 1024 ))
    export DRIFTWAY_SERVER_NODE_ID
fi
exec /usr/local/bin/driftway "$@"
