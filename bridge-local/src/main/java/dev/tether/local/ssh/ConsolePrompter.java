package dev.tether.local.ssh;

import java.io.Console;

/**
 * Prompts on the controlling terminal through {@link System#console()}; secrets are read without echo.
 * Console access is serialised by the JDK, so concurrent connections take turns.
 */
public final class ConsolePrompter implements Prompter {
  @Override
  public String prompt(String message, boolean echo) {
    Console console = System.console();
    if (console == null) {
      return Prompter.unavailable().prompt(message, echo);
    }
    if (echo) {
      return console.readLine("%s", message);
    }
    char[] secret = console.readPassword("%s", message);
    return secret == null ? null : new String(secret);
  }

  @Override
  public boolean isAvailable() {
    return System.console() != null;
  }
}
