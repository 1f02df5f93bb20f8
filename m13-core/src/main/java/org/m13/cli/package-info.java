/**
 * The {@code m13} command line (picocli): key management and, later, the diagnostic
 * tools. The daemons' own commands ({@code m13 hub}, {@code m13 node}) live in their
 * modules; the {@code ./m13} script dispatches to the right main.
 */
@CheckReturnValue
package org.m13.cli;

import com.google.errorprone.annotations.CheckReturnValue;
