# Driver: the bare veth, no tunnel. The reference for every other column.
# Driver contract (every driver in this folder):
#   TUN_A, TUN_B     the addresses B sends to and A sees as the peer (tunnel addresses)
#   drv_prepare DIR  keys and configuration into DIR, not timed; non-zero: not available
#   drv_available    prints why not and returns 1 when the tunnel cannot run here
#   drv_up DIR       starts both ends (A first, then B), returns without waiting for
#                    the tunnel; the harness times from here to the first ping answered
#   drv_down DIR     stops both ends and removes what drv_up made; safe to call twice
#   drv_pids DIR     the tunnel's processes, for CPU accounting (none: the kernel)
#   drv_describe DIR the configuration as Markdown, for the results file
TUN_A=$UNDER_A
TUN_B=$UNDER_B

drv_prepare()   { :; }
drv_available() { return 0; }
drv_up()        { :; }
drv_down()      { :; }
drv_pids()      { :; }
drv_describe() {
  cat <<DESC
No tunnel: iperf3 and ping between $UNDER_A and $UNDER_B on the veth pair itself
(MTU 1500, the kernel's defaults: TSO/GSO/GRO on). CPU per GB is not measured: the
work is the kernel's.
DESC
}
