# Shared by bench/e2e/run and the drivers: namespaces, bounded processes, timing,
# CPU accounting, ping and iperf3. Sourced, never run. Every process it starts is
# recorded (by id) so that cleanup can end exactly those.

# The namespaces and the underlay (documentation prefix 198.51.100.0/24). The two
# interfaces keep their names in both topologies, so drivers never see which one runs.
NS_A=m13b-a              # hub / server side: iperf3 server, tunnel endpoint A
NS_B=m13b-b              # node / client side: iperf3 client, pings A
NS_L=m13b-l              # only with --satellite: m13 linkem between A and B
IF_A=m13b-va
IF_B=m13b-vb
IF_LA=m13b-la            # in NS_L, wired to IF_A
IF_LB=m13b-lb            # in NS_L, wired to IF_B
UNDER_A=198.51.100.1
UNDER_B=198.51.100.2
UNDER_PREFIX=24
ALL_NS=("$NS_A" "$NS_B" "$NS_L")

CLK_TCK=$(getconf CLK_TCK)

log()  { printf '[%s] %s\n' "$(elapsed)" "$*"; }
warn() { printf '[%s] warning: %s\n' "$(elapsed)" "$*" >&2; }
die()  { printf 'm13 bench: %s\n' "$*" >&2; exit 1; }

START_US=${START_US:-${EPOCHREALTIME/./}}
now_us()  { printf '%s' "${EPOCHREALTIME/./}"; }
elapsed() { local s=$(( ($(now_us) - START_US) / 1000000 )); printf '%2d:%02d' $((s / 60)) $((s % 60)); }

# Every background process goes through bg_start, which records its pid in
# $PIDS_FILE; stop_pid ends one. BG_PID is the pid of the last one started.
BG_PID=
bg_start() {
  local logfile=$1; shift
  "$@" >>"$logfile" 2>&1 </dev/null 8>&- &
  BG_PID=$!
  printf '%s %s\n' "$BG_PID" "$*" >>"$PIDS_FILE"
  printf '%s\n' "$*" >>"$COMMANDS_LOG"
}

alive() {  # a zombie is not alive
  local st
  st=$(awk '{sub(/.*\) /, ""); print $1}' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "$st" != Z ]
}

stop_pid() {
  local pid=$1 i
  [ -n "$pid" ] || return 0
  if alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null
    for i in $(seq 50); do alive "$pid" || break; sleep 0.1; done
    alive "$pid" && kill -KILL "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null
  return 0
}

# Runs a command in the foreground under a time bound. It is started in the
# background and waited for, so that a trapped SIGINT/SIGTERM interrupts the wait at
# once (bash defers traps while a foreground child runs).
bounded() {
  local secs=$1; shift
  printf '%s\n' "$*" >>"$COMMANDS_LOG"
  timeout -k 5 "$secs" "$@" 8>&- &
  local pid=$!
  printf '%s bounded %s\n' "$pid" "$*" >>"$PIDS_FILE"
  wait "$pid"
}

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# ---- topology --------------------------------------------------------------------

ns_exists() { ip netns list | awk '{print $1}' | grep -qx -- "$1"; }

ns_create() {
  ip netns add "$1"
  ip -n "$1" link set lo up
  # no IPv6 chatter (router solicitations would share the emulated link)
  in_ns "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
}

# Ends every process inside one of our namespaces (by pid, as ip netns lists them),
# then deletes it; the veth ends inside go with it.
ns_destroy() {
  local ns=$1 pid
  ns_exists "$ns" || return 0
  for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null; done
  for _ in $(seq 30); do [ -z "$(ip netns pids "$ns" 2>/dev/null)" ] && break; sleep 0.1; done
  for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
  ip netns del "$ns" 2>/dev/null || true
}

mac_of() { ip -n "$1" -br link show dev "$2" | awk '{print $3}'; }

address_sides() {
  ip -n "$NS_A" addr add "$UNDER_A/$UNDER_PREFIX" dev "$IF_A"
  ip -n "$NS_B" addr add "$UNDER_B/$UNDER_PREFIX" dev "$IF_B"
  ip -n "$NS_A" link set "$IF_A" up
  ip -n "$NS_B" link set "$IF_B" up
  # permanent neighbours: no ARP exchange inside any timed start or seeded sequence
  ip -n "$NS_A" neigh replace "$UNDER_B" lladdr "$(mac_of "$NS_B" "$IF_B")" dev "$IF_A" nud permanent
  ip -n "$NS_B" neigh replace "$UNDER_A" lladdr "$(mac_of "$NS_A" "$IF_A")" dev "$IF_B" nud permanent
}

# A and B joined by one veth pair.
topo_direct_up() {
  ns_create "$NS_A"; ns_create "$NS_B"
  ip link add "$IF_A" netns "$NS_A" type veth peer name "$IF_B" netns "$NS_B"
  address_sides
}

# A - veth - L - veth - B; m13 linkem in L relays between IF_LA and IF_LB.
topo_linkem_up() {
  ns_create "$NS_A"; ns_create "$NS_B"; ns_create "$NS_L"
  ip link add "$IF_A" netns "$NS_A" type veth peer name "$IF_LA" netns "$NS_L"
  ip link add "$IF_B" netns "$NS_B" type veth peer name "$IF_LB" netns "$NS_L"
  ip -n "$NS_L" link set "$IF_LA" up
  ip -n "$NS_L" link set "$IF_LB" up
  address_sides
}

topo_down() { local ns; for ns in "${ALL_NS[@]}"; do ns_destroy "$ns"; done; }

# ---- measurements ----------------------------------------------------------------

# utime + stime of the given processes, in clock ticks (all threads included).
cpu_ticks() {
  local total=0 p t
  for p in "$@"; do
    t=$(awk '{sub(/.*\) /, ""); print $12 + $13}' "/proc/$p/stat" 2>/dev/null) || t=0
    total=$((total + ${t:-0}))
  done
  printf '%s' "$total"
}

# Waits until ADDR answers a ping from NS, for at most SECS seconds. A ping that
# cannot even send (no route yet: the tunnel device is not up) is retried after 10 ms.
wait_ping() {
  local ns=$1 addr=$2 secs=$3 deadline left
  deadline=$(( $(now_us) + secs * 1000000 ))
  while :; do
    left=$(( (deadline - $(now_us)) / 1000000 ))
    [ "$left" -ge 1 ] || return 1
    in_ns "$ns" ping -n -q -c 1 -i 0.01 -w "$left" "$addr" >/dev/null 2>&1 && return 0
    sleep 0.01
  done
}

# ping COUNT packets at INTERVAL from NS to ADDR; the raw output goes to FILE.
ping_series() {
  local ns=$1 addr=$2 count=$3 interval=$4 file=$5 bound
  bound=$(awk -v c="$count" -v i="$interval" 'BEGIN { printf "%d", c * i + 15 }')
  bounded "$bound" ip netns exec "$ns" ping -n -c "$count" -i "$interval" -W 2 "$addr" >"$file" 2>&1
  return 0
}

# Appends every RTT of a ping output to rtt.csv, and sent/received to results.csv.
record_ping() {
  local run=$1 tunnel=$2 series=$3 file=$4 count=$5 received
  received=$(grep -c 'time=' "$file")
  awk -v r="$run" -v t="$tunnel" -v s="$series" \
    'match($0, /time=[0-9.]+/) { print r "," t "," s "," substr($0, RSTART + 5, RLENGTH - 5) }' \
    "$file" >>"$RTT_CSV"
  emit "$run" "$tunnel" "ping_${series}_sent" "$count"
  emit "$run" "$tunnel" "ping_${series}_received" "$received"
}

emit() { printf '%s,%s,%s,%s\n' "$1" "$2" "$3" "$4" >>"$RESULTS_CSV"; }

IPERF_PORT=5201

# Starts a one-test iperf3 server in NS_A and waits until it listens.
iperf_server() {
  local bound=$1 logfile=$2 i
  bg_start "$logfile" timeout -k 5 "$bound" ip netns exec "$NS_A" iperf3 -s -1 -p "$IPERF_PORT"
  IPERF_SERVER_PID=$BG_PID
  for i in $(seq 100); do
    in_ns "$NS_A" ss -Hltn "sport = :$IPERF_PORT" 2>/dev/null | grep -q . && return 0
    sleep 0.05
  done
  return 1
}

# iperf3 client in NS_B towards ADDR, JSON to FILE; the arguments after FILE go to iperf3.
iperf_client() {
  local addr=$1 secs=$2 file=$3; shift 3
  bounded $((secs + 30)) ip netns exec "$NS_B" iperf3 -c "$addr" -p "$IPERF_PORT" -t "$secs" -J "$@" >"$file" 2>&1
}

jq_num() { jq -er "$1 // empty" "$2" 2>/dev/null; }
