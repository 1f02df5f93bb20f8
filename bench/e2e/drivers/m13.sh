# Driver: M13, hub in A and node in B, compact topology, UDP mode.
#
# Every command that makes keys, writes configuration or starts M13 is in the block
# below: when the daemons change, this block is what to fix.
M13_KEYGEN=("$ROOT/m13" keygen)                  # + key file; prints the public key
M13_HUB=("$ROOT/m13" hub --stats-seconds 5 --config)    # + hub.yaml, runs in the foreground
M13_NODE=("$ROOT/m13" node --stats-seconds 5 --config)  # + node.yaml, runs in the foreground
M13_PROBE=("$ROOT/m13" hub --help)               # exit 0: the daemons are built
M13_CHECK_CONFIG=(org.m13.bench.e2e.CheckM13Config)  # loads both YAML files with org.m13.config
M13_TOPOLOGY=$ROOT/config/topology/compact.yaml
M13_PORT=443             # hub.yaml default
M13_MTU=1400             # hub.yaml / node.yaml default
M13_RATE_MBIT=0          # link.rate-mbit default: not paced; the satellite scenarios give the link's rate
                         # (LINK_RATE_MBIT from bench/e2e/run), as an operator of such a link would
M13_IF=m13tun0
# Both daemons run on one machine here: each gets its own host-set-up journal and
# telemetry file (--state-dir, --telemetry) in the run directory.
TUN_A=10.13.0.1
TUN_B=10.13.0.2

m13_hub_yaml() {
  cat <<YAML
# M13 hub in $NS_A (m13 bench): the defaults of config/hub.yaml but for the names
identity: hub.key
listen:
  interface: $IF_A
  port: $M13_PORT
  mode: udp
tunnel:
  name: $M13_IF
  address: $TUN_A/24
  mtu: $M13_MTU
link:
  rate-mbit: $M13_RATE_MBIT
topology: $M13_TOPOLOGY
nodes:
  - name: bench-node
    public-key: $1
YAML
}

m13_node_yaml() {
  cat <<YAML
# M13 node in $NS_B (m13 bench): the defaults of config/node.yaml but for the hub
identity: node.key
hub:
  address: $UNDER_A
  port: $M13_PORT
  public-key: $1
tunnel:
  name: $M13_IF
  mtu: $M13_MTU
routes:
  default-route: false            # only the tunnel subnet, as for the other tunnels
  ipv6: block
link:
  rate-mbit: $M13_RATE_MBIT
topology: $M13_TOPOLOGY
YAML
}

# Keys and both YAML files, checked by org.m13.config as the daemons will load them.
drv_prepare() {
  local dir=$1 hub_pub node_pub
  rm -f "$dir/hub.key" "$dir/node.key"
  hub_pub=$(timeout 120 "${M13_KEYGEN[@]}" "$dir/hub.key" 2>"$dir/keygen.log" | tail -1) &&
    node_pub=$(timeout 120 "${M13_KEYGEN[@]}" "$dir/node.key" 2>>"$dir/keygen.log" | tail -1) || {
    echo "./m13 keygen failed: $(tail -1 "$dir/keygen.log")" >&2; return 1; }
  m13_hub_yaml "$node_pub" >"$dir/hub.yaml"
  m13_node_yaml "$hub_pub" >"$dir/node.yaml"
  bench_java "${M13_CHECK_CONFIG[@]}" "$dir/hub.yaml" "$dir/node.yaml" >"$dir/check-config.log" 2>&1 || {
    echo "the generated hub.yaml/node.yaml do not load: $(tail -1 "$dir/check-config.log")" >&2; return 1; }
}

drv_available() {
  local out rc=0
  out=$(timeout 60 "${M13_PROBE[@]}" 2>&1) || rc=$?
  if [ $rc -ne 0 ]; then
    echo "\`./${M13_PROBE[*]#"$ROOT"/}\` exits $rc ($(printf '%s' "$out" | head -1)): the hub and node daemons did not build"
    return 1
  fi
}

drv_up() {
  local dir=$1 i
  mkdir -p "$dir/state-hub" "$dir/state-node"
  sed -i "s/^  rate-mbit: .*/  rate-mbit: ${LINK_RATE_MBIT:-$M13_RATE_MBIT}/" "$dir/hub.yaml" "$dir/node.yaml"
  bg_start "$dir/hub.log" ip netns exec "$NS_A" "${M13_HUB[@]}" "$dir/hub.yaml" --state-dir "$dir/state-hub" \
    --telemetry "$dir/hub.telemetry"
  echo "$BG_PID" >"$dir/a.pid"
  for i in $(seq 1000); do   # the node starts once the hub listens (see openvpn.sh)
    in_ns "$NS_A" ss -Huln "sport = :$M13_PORT" 2>/dev/null | grep -q . && break
    alive "$BG_PID" || { echo "m13 hub exited (hub.log)" >&2; return 1; }
    sleep 0.01
  done
  bg_start "$dir/node.log" ip netns exec "$NS_B" "${M13_NODE[@]}" "$dir/node.yaml" --state-dir "$dir/state-node" \
    --telemetry "$dir/node.telemetry"
  echo "$BG_PID" >"$dir/b.pid"
}

drv_down() {
  local dir=$1 side
  for side in b a; do
    [ -f "$dir/$side.pid" ] && stop_pid "$(cat "$dir/$side.pid")"
    rm -f "$dir/$side.pid"
  done
  ip -n "$NS_A" link del "$M13_IF" 2>/dev/null
  ip -n "$NS_B" link del "$M13_IF" 2>/dev/null
  return 0
}

drv_pids() { cat "$1"/a.pid "$1"/b.pid 2>/dev/null; }

drv_describe() {
  local dir=$1
  cat <<DESC
\`./${M13_HUB[*]#"$ROOT"/} hub.yaml\` in $NS_A and \`./${M13_NODE[*]#"$ROOT"/} node.yaml\` in $NS_B
(keys from \`./m13 keygen\`), compact topology, UDP mode; every key at its documented
default but the names, the addresses and \`routes.default-route: false\`; FEC at its
defaults (\`fec.enabled: true\`). Not paced on the veth (\`link.rate-mbit: 0\`); in the
satellite scenarios both daemons are given the emulated link's rate
(\`link.rate-mbit: ${SAT_RATE_MBIT:-20}\`), as an operator of such a link configures it.

\`\`\`yaml
$(grep -v '^#' "$dir/hub.yaml" 2>/dev/null | sed -e 's/public-key: .*/public-key: <the node'"'"'s public key>/' -e "s#$ROOT/##")
\`\`\`

\`\`\`yaml
$(grep -v '^#' "$dir/node.yaml" 2>/dev/null | sed -e 's/public-key: .*/public-key: <the hub'"'"'s public key>/' -e "s#$ROOT/##")
\`\`\`
DESC
}
