package dev.tether.local.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Small helpers shared by the SSH integration tests. */
public final class SshTestSupport {
  public static final Duration WAIT = Duration.ofSeconds(30);

  private SshTestSupport() {
  }

  /** What a finished remote command produced. */
  public record Result(String stdout, String stderr, int exit) {
  }

  /** Runs {@code command}, feeding {@code stdin} and draining both outputs concurrently. */
  public static Result run(SshConnection connection, String command, String stdin) {
    try (RemoteProcess p = connection.exec(command)) {
      CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(p.stdout()));
      CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(p.stderr()));
      try {
        if (stdin != null) {
          p.stdin().write(stdin.getBytes(StandardCharsets.UTF_8));
          p.stdin().flush();
        }
        p.stdin().close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      int exit = p.waitFor(WAIT);
      return new Result(out.join(), err.join(), exit);
    }
  }

  public static Result run(SshConnection connection, String command) {
    return run(connection, command, null);
  }

  private static String readAll(InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A fresh fake home with an empty ~/.ssh (mode 700), so no test reads the real one. */
  public static Path newHome(Path parent) {
    try {
      Path home = parent.resolve("home");
      Files.createDirectories(home.resolve(".ssh"));
      Files.setPosixFilePermissions(home.resolve(".ssh"), PosixFilePermissions.fromString("rwx------"));
      return home;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Copies a key (and its .pub) to {@code target}, mode 600 like ssh-keygen leaves it. */
  public static Path copyKey(Path key, Path target) {
    try {
      Files.copy(key, target);
      Files.copy(TestKeys.publicFile(key), TestKeys.publicFile(target));
      Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-------"));
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An executable shell script. */
  public static Path script(Path file, String body) {
    write(file, "#!/bin/sh\n" + body + "\n");
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /** A prompter that answers every prompt with {@code answer} and counts the calls. */
  public static final class ScriptedPrompter implements Prompter {
    private final String answer;
    private final java.util.List<String> prompts = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();

    public ScriptedPrompter(String answer) {
      this.answer = answer;
    }

    @Override
    public String prompt(String message, boolean echo) {
      prompts.add(message);
      return answer;
    }

    public java.util.List<String> prompts() {
      return prompts;
    }

    @Override
    public void warn(String line) {
      warnings.add(line);
    }

    /** What {@link #warn} was told. */
    public java.util.List<String> warnings() {
      return warnings;
    }
  }
}
