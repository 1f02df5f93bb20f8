# Driver: wireguard-go (Debian's package; the kernel WireGuard module is absent here),
# configured with wg(8) from wireguard-tools. Defaults except the MTU (1400, as M13).
TUN_A=10.14.0.1
TUN_B=10.14.0.2
WG_IF_A=m13b-wga         # names differ per side: the UAPI socket /var/run/wireguard/IF.sock is
WG_IF_B=m13b-wgb         # shared by all namespaces
WG_PORT=51820
WG_MTU=1400

drv_available() {
  command -v wireguard-go >/dev/null || { echo "wireguard-go is not installed"; return 1; }
  command -v wg >/dev/null || { echo "wg (wireguard-tools) is not installed"; return 1; }
  [ -c /dev/net/tun ] || { echo "/dev/net/tun is missing"; return 1; }
}

drv_prepare() {
  local dir=$1
  (umask 077; wg genkey >"$dir/a.key"; wg genkey >"$dir/b.key")
  wg pubkey <"$dir/a.key" >"$dir/a.pub"
  wg pubkey <"$dir/b.key" >"$dir/b.pub"
}

wg_wait_link() {
  local ns=$1 ifname=$2 i
  for i in $(seq 200); do
    ip -n "$ns" link show dev "$ifname" >/dev/null 2>&1 && [ -S "/var/run/wireguard/$ifname.sock" ] && return 0
    sleep 0.01
  done
  echo "wireguard-go did not create $ifname in $ns" >&2
  return 1
}

drv_up() {
  local dir=$1
  bg_start "$dir/a.log" ip netns exec "$NS_A" env WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 \
    wireguard-go -f "$WG_IF_A"
  echo "$BG_PID" >"$dir/a.pid"
  wg_wait_link "$NS_A" "$WG_IF_A" || return 1
  in_ns "$NS_A" wg set "$WG_IF_A" private-key "$dir/a.key" listen-port "$WG_PORT" \
    peer "$(cat "$dir/b.pub")" allowed-ips "$TUN_B/32" || return 1
  ip -n "$NS_A" addr add "$TUN_A/24" dev "$WG_IF_A"
  ip -n "$NS_A" link set "$WG_IF_A" mtu "$WG_MTU" up

  bg_start "$dir/b.log" ip netns exec "$NS_B" env WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 \
    wireguard-go -f "$WG_IF_B"
  echo "$BG_PID" >"$dir/b.pid"
  wg_wait_link "$NS_B" "$WG_IF_B" || return 1
  in_ns "$NS_B" wg set "$WG_IF_B" private-key "$dir/b.key" listen-port "$WG_PORT" \
    peer "$(cat "$dir/a.pub")" allowed-ips "$TUN_A/32" endpoint "$UNDER_A:$WG_PORT" || return 1
  ip -n "$NS_B" addr add "$TUN_B/24" dev "$WG_IF_B"
  ip -n "$NS_B" link set "$WG_IF_B" mtu "$WG_MTU" up
}

drv_down() {
  local dir=$1 side
  for side in a b; do
    [ -f "$dir/$side.pid" ] && stop_pid "$(cat "$dir/$side.pid")"
    rm -f "$dir/$side.pid"
  done
  ip -n "$NS_A" link del "$WG_IF_A" 2>/dev/null
  ip -n "$NS_B" link del "$WG_IF_B" 2>/dev/null
  rm -f "/var/run/wireguard/$WG_IF_A.sock" "/var/run/wireguard/$WG_IF_B.sock"
  return 0
}

drv_pids() { cat "$1"/a.pid "$1"/b.pid 2>/dev/null; }

drv_describe() {
  cat <<DESC
wireguard-go $(dpkg-query -W -f='${Version}' wireguard-go 2>/dev/null) in each namespace
(\`wireguard-go -f IF\`), configured with wg $(wg --version 2>/dev/null | awk '{print $2}'):

\`\`\`
# A ($NS_A)
wg set $WG_IF_A private-key a.key listen-port $WG_PORT peer <B's public key> allowed-ips $TUN_B/32
ip addr add $TUN_A/24 dev $WG_IF_A; ip link set $WG_IF_A mtu $WG_MTU up
# B ($NS_B)
wg set $WG_IF_B private-key b.key listen-port $WG_PORT peer <A's public key> allowed-ips $TUN_A/32 endpoint $UNDER_A:$WG_PORT
ip addr add $TUN_B/24 dev $WG_IF_B; ip link set $WG_IF_B mtu $WG_MTU up
\`\`\`

Everything else at wireguard-go's defaults (no persistent keepalive; the handshake is
made by the first packet). MTU 1400 instead of the default 1420, as M13's.
DESC
}
