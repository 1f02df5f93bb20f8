/**
 * The M13 wire format: flyweights over off-heap memory for the Ethernet, M13 and
 * fragment headers, and message fragmentation and reassembly. The byte tables are
 * in {@code docs/PROTOCOL.md}; golden-byte tests pin them.
 */
@CheckReturnValue
package org.m13.wire;

import com.google.errorprone.annotations.CheckReturnValue;
