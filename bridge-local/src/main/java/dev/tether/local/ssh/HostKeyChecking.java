package dev.tether.local.ssh;

import java.util.Locale;

/** The {@code StrictHostKeyChecking} policy. */
public enum HostKeyChecking {
  /** Unknown and changed keys are refused (the default; OpenSSH's {@code yes} and {@code ask}). */
  STRICT,
  /** Unknown keys are added to the known_hosts file; changed keys are still refused. */
  ACCEPT_NEW,
  /** Any key is accepted and nothing is written (OpenSSH's {@code no}/{@code off}); for throwaway hosts only. */
  OFF;

  /**
   * Parses an OpenSSH value. {@code ask} maps to {@link #STRICT}: we never ask interactively
   * about host keys because an editor may have started us without a terminal.
   */
  public static HostKeyChecking parse(String value) {
    return switch (value.strip().toLowerCase(Locale.ROOT)) {
      case "yes", "true", "ask" -> STRICT;
      case "accept-new" -> ACCEPT_NEW;
      case "no", "false", "off" -> OFF;
      default -> throw new SshFailure(SshFailure.Kind.USAGE,
          "bad StrictHostKeyChecking '" + value + "' (expected yes, accept-new or no)");
    };
  }
}
