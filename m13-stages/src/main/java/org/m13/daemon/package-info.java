/**
 * What the hub and node daemons share around the stages: the peer table the stages and
 * the control thread meet in, the control ring (handshake and control messages off the
 * RX path, onto the thread that runs the PQC handshake and the peer lifecycle), frame
 * writers for the send side, and the threads at the edges (link poller, TUN reader). On
 * the node the io_uring reactor {@link org.m13.daemon.UringLink} can take the poller's
 * place: it receives and sends on one thread and takes link-tx's frames through a
 * {@link org.m13.daemon.TxHandoff}.
 *
 * <pre>
 *   link poller --RX ring--> parse, decrypt, classify, scatter, release
 *                                                  |  tun-write (TUN fd)
 *                                                  |  control, handshake --control ring--> control thread
 *   tun reader  --TX ring--> seal, link-tx  <------------------------------------------ control thread
 * </pre>
 */
@CheckReturnValue
package org.m13.daemon;

import com.google.errorprone.annotations.CheckReturnValue;
