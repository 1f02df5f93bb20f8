/**
 * The node daemon: joins one hub over UDP, runs the handshake with the pinned hub key,
 * takes the tunnel address the hub gives it, routes the host's traffic into the tunnel,
 * and keeps the session alive (re-joining a restarted hub on its own).
 */
@CheckReturnValue
package org.m13.node;

import com.google.errorprone.annotations.CheckReturnValue;
