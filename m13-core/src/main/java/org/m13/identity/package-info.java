/**
 * Static identities: ML-DSA-87 key pairs (FIPS 204, Bouncy Castle), their key files,
 * base64 public keys, key identifiers and the hub's allow-list of nodes.
 *
 * <p>The static methods of {@link org.m13.identity.KeyFiles} are what the
 * {@code m13 keygen} and {@code m13 pubkey} commands call. The file format and the key
 * identifier are specified in {@code docs/PROTOCOL-HANDSHAKE.md}.
 */
@CheckReturnValue
package org.m13.identity;

import com.google.errorprone.annotations.CheckReturnValue;
