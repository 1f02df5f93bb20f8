/**
 * The hub daemon: terminates up to 256 nodes on one UDP port, authenticates each
 * against the allow-list, gives each its tunnel address, and forwards their traffic
 * between the tunnel and the host (which NATs it out of the uplink).
 */
@CheckReturnValue
package org.m13.hub;

import com.google.errorprone.annotations.CheckReturnValue;
