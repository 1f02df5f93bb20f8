/**
 * {@code m13 linkem}: a seeded link emulator relaying every frame between two
 * interfaces with per-direction delay, jitter, random and Gilbert–Elliott loss, a
 * rate limit and a drop-tail queue (see docs/LINKEM.md). The models are pure
 * classes driven by injected time and seeds; {@link org.m13.linkem.Relay} moves the
 * frames; {@link org.m13.linkem.PacketPorts} binds it to AF_PACKET sockets.
 */
@CheckReturnValue
package org.m13.linkem;

import com.google.errorprone.annotations.CheckReturnValue;
