# Driver: OpenVPN 2.6 (Debian's package), UDP, TLS mode with a throw-away PKI, data
# channel AES-256-GCM. No DCO: the ovpn-dco module is absent here (and disable-dco
# says so). Defaults except the tunnel MTU (1400, as M13).
TUN_A=10.15.0.1
TUN_B=10.15.0.2
OVPN_IF_A=m13b-ovpna
OVPN_IF_B=m13b-ovpnb
OVPN_PORT=1194
OVPN_MTU=1400

drv_available() {
  command -v openvpn >/dev/null || { echo "openvpn is not installed"; return 1; }
  command -v openssl >/dev/null || { echo "openssl is not installed"; return 1; }
  [ -c /dev/net/tun ] || { echo "/dev/net/tun is missing"; return 1; }
}

# A CA, a server and a client certificate (ECDSA P-256, valid 2 days), made fresh
# for each bench run and never reused.
ovpn_cert() {
  local dir=$1 name=$2 eku=$3
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$dir/$name.key" -out "$dir/$name.csr" -subj "/CN=m13b-$name" 2>/dev/null || return 1
  printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyAgreement\nextendedKeyUsage=%s\n' "$eku" \
    >"$dir/$name.ext"
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
    -days 2 -extfile "$dir/$name.ext" -out "$dir/$name.crt" 2>/dev/null
}

drv_prepare() {
  local dir=$1
  (umask 077
   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
     -keyout "$dir/ca.key" -out "$dir/ca.crt" -subj "/CN=m13b-ca" 2>/dev/null &&
   ovpn_cert "$dir" server serverAuth && ovpn_cert "$dir" client clientAuth) || {
    echo "openssl could not make the test PKI" >&2; return 1; }
  cat >"$dir/server.conf" <<CONF
# OpenVPN server in $NS_A (m13 bench)
dev $OVPN_IF_A
dev-type tun
proto udp
local $UNDER_A
port $OVPN_PORT
topology subnet
server 10.15.0.0 255.255.255.0
ca $dir/ca.crt
cert $dir/server.crt
key $dir/server.key
dh none
data-ciphers AES-256-GCM
tun-mtu $OVPN_MTU
disable-dco
verb 3
CONF
  cat >"$dir/client.conf" <<CONF
# OpenVPN client in $NS_B (m13 bench)
client
dev $OVPN_IF_B
dev-type tun
proto udp
remote $UNDER_A $OVPN_PORT
nobind
ca $dir/ca.crt
cert $dir/client.crt
key $dir/client.key
remote-cert-tls server
data-ciphers AES-256-GCM
tun-mtu $OVPN_MTU
disable-dco
verb 3
CONF
}

drv_up() {
  local dir=$1 i
  bg_start "$dir/server.log" ip netns exec "$NS_A" openvpn --config "$dir/server.conf"
  echo "$BG_PID" >"$dir/a.pid"
  # the client starts once the server listens: a client whose first packet meets a
  # closed port waits for its retransmission timer, which would be timed as start-up
  for i in $(seq 500); do
    in_ns "$NS_A" ss -Huln "sport = :$OVPN_PORT" 2>/dev/null | grep -q . && break
    alive "$BG_PID" || { echo "openvpn server exited (server.log)" >&2; return 1; }
    sleep 0.01
  done
  bg_start "$dir/client.log" ip netns exec "$NS_B" openvpn --config "$dir/client.conf"
  echo "$BG_PID" >"$dir/b.pid"
}

drv_down() {
  local dir=$1 side
  for side in b a; do
    [ -f "$dir/$side.pid" ] && stop_pid "$(cat "$dir/$side.pid")"
    rm -f "$dir/$side.pid"
  done
  ip -n "$NS_A" link del "$OVPN_IF_A" 2>/dev/null
  ip -n "$NS_B" link del "$OVPN_IF_B" 2>/dev/null
  return 0
}

drv_pids() { cat "$1"/a.pid "$1"/b.pid 2>/dev/null; }

drv_describe() {
  local dir=$1
  cat <<DESC
$(openvpn --version 2>/dev/null | head -1 | cut -d' ' -f1-2) (Debian $(dpkg-query -W -f='${Version}' openvpn 2>/dev/null)),
\`openvpn --config FILE\` in each namespace; TLS with a throw-away ECDSA P-256 PKI made
by openssl for each bench run; data channel AES-256-GCM; no DCO (module absent). Every
other option at OpenVPN's defaults; tun-mtu 1400 instead of 1500, as M13's.

\`\`\`
$(grep -v '^#' "$dir/server.conf" | sed "s#$dir/##")
\`\`\`

\`\`\`
$(grep -v '^#' "$dir/client.conf" | sed "s#$dir/##")
\`\`\`
DESC
}
