/**
 * Forwarded ports: the local halves (what {@code tether forward} and {@code tether ports} use, and
 * what custom clients can use through any {@link dev.tether.adapters.ChannelOpener}). The agent's
 * halves are in {@code remote}. Channel kinds and messages are documented in docs/PORTS.md.
 */
package dev.tether.adapters.ports;
