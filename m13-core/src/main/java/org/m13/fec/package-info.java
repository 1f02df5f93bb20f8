/**
 * Forward error correction for lossy links: systematic random linear network coding
 * (RLNC) over GF(2^8). A sender groups up to 32 source symbols into a generation and
 * adds repair symbols, linear combinations whose coefficients the receiver derives
 * from a seed in the 8-byte FEC header; the receiver's incremental Gaussian
 * elimination recovers the generation from any k of its k + m symbols. The coding
 * rules and the header are in {@code docs/FEC.md}. Nothing here allocates per symbol.
 */
@CheckReturnValue
package org.m13.fec;

import com.google.errorprone.annotations.CheckReturnValue;
