/**
 * Operator configuration: hub.yaml and node.yaml bound into typed records, then
 * concluded once (defaults filled, ranges and cross-field rules checked, key files and
 * public keys parsed). Every problem is a {@link ConfigException} naming the file, the
 * line where it is known, and the key.
 */
@CheckReturnValue
package org.m13.config;

import com.google.errorprone.annotations.CheckReturnValue;
