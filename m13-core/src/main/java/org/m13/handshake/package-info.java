/**
 * The post-quantum handshake, as pure protocol code: message codecs (ClientHello,
 * ServerHello, Finished), the transcript, the key schedule, the DoS-guard MAC and
 * the event-driven state machines of both sides. No threads, no sockets: the caller
 * passes messages in, the time in nanoseconds and a SecureRandom, and sends what
 * comes back. Every ML-KEM and ML-DSA operation is counted in a
 * {@link org.m13.handshake.PqcCounter}. Layouts, sizes and the key schedule are in
 * {@code docs/PROTOCOL-HANDSHAKE.md}.
 */
@CheckReturnValue
package org.m13.handshake;

import com.google.errorprone.annotations.CheckReturnValue;
