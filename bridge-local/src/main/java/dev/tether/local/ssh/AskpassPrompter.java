package dev.tether.local.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Prompts through an {@code SSH_ASKPASS} program, as OpenSSH does without a terminal: the program
 * runs with the prompt as its only argument and prints the answer on stdout; a non-zero exit
 * means the user cancelled. {@code SSH_ASKPASS_PROMPT=confirm} is set for echoed questions, like
 * OpenSSH's confirmation prompts. Stateless and thread-safe; each call starts one process and waits
 * for it (a person may take minutes, so there is no timeout short of {@link #MAX_WAIT_MINUTES}).
 */
public final class AskpassPrompter implements Prompter {
  /** Bounds a forgotten dialog so a daemon thread is not parked forever. */
  public static final long MAX_WAIT_MINUTES = 10;

  private final String program;
  private final SshEnvironment environment;

  public AskpassPrompter(String program, SshEnvironment environment) {
    this.program = program;
    this.environment = environment;
  }

  @Override
  public String prompt(String message, boolean echo) {
    ProcessBuilder pb = new ProcessBuilder(program, message)
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
    environment.env("DISPLAY").ifPresent(d -> pb.environment().put("DISPLAY", d));
    if (echo) {
      pb.environment().put("SSH_ASKPASS_PROMPT", "confirm");
    }
    Process process = start(pb);
    try (InputStream out = process.getInputStream()) {
      String answer = new String(out.readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(MAX_WAIT_MINUTES, TimeUnit.MINUTES)) {
        throw new SshFailure(SshFailure.Kind.TIMEOUT, "SSH_ASKPASS program " + program + " did not finish");
      }
      return process.exitValue() == 0 ? stripNewline(answer) : null;
    } catch (IOException e) {
      throw new SshFailure(SshFailure.Kind.NO_PROMPTER, "cannot read the answer of SSH_ASKPASS program " + program + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SshFailure(SshFailure.Kind.NO_PROMPTER, "interrupted while waiting for SSH_ASKPASS program " + program, e);
    } finally {
      process.destroy();
    }
  }

  private Process start(ProcessBuilder pb) {
    try {
      return pb.start();
    } catch (IOException e) {
      throw new SshFailure(SshFailure.Kind.NO_PROMPTER, "cannot run SSH_ASKPASS program '" + program
          + "': " + e.getMessage() + "; fix SSH_ASKPASS or use an unencrypted key or ssh-agent", e);
    }
  }

  private static java.io.File nullDevice() {
    return new java.io.File("/dev/null");
  }

  private static String stripNewline(String s) {
    int end = s.length();
    while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) {
      end--;
    }
    return s.substring(0, end);
  }
}
