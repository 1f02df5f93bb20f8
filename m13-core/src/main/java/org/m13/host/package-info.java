/**
 * Host set-up for the daemons: the TUN device's address, MTU and state, routes,
 * iptables rules, sysctls and the qdisc, each applied idempotently and recorded in a
 * journal ({@code /run/m13/<role>.journal}) before it is applied, so that it is undone
 * on close, from a shutdown hook, by {@code m13 host-undo}, and at the next start after
 * a crash. {@link org.m13.host.HubHost} and {@link org.m13.host.NodeHost} compose the
 * steps for each role; every command goes through {@link org.m13.host.HostShell}, so
 * tests check the exact commands without root. See docs/HOST.md.
 */
@CheckReturnValue
package org.m13.host;

import com.google.errorprone.annotations.CheckReturnValue;
