/**
 * Data-plane cryptography: AES-256-GCM on frames in place (native, OpenSSL) and
 * the anti-replay window. Every fallible call returns a status that must be used.
 */
@CheckReturnValue
package org.m13.crypto;

import com.google.errorprone.annotations.CheckReturnValue;
