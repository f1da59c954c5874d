package dev.tether.local.front;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The hand-over socket ({@code handover.sock} beside {@code daemon.sock}, docs/SERVICES.md): a command
 * passes its stdin, stdout and stderr to the daemon and waits for the exit status. JDK types only, so
 * the front end that speaks it loads no picocli, Gson or LSP4J.
 *
 * <pre>
 * command → daemon  int MAGIC, UTF build, UTF cwd, int argc, UTF arg × argc   (with fds 0, 1, 2 as SCM_RIGHTS)
 * daemon → command  byte ACCEPTED | byte FALL_BACK UTF reason | byte OTHER_BUILD UTF message
 * command → daemon  byte INTERRUPT                      (each Ctrl-C, after ACCEPTED)
 * daemon → command  byte EXIT int status                (the command's exit status)
 * </pre>
 *
 * A command that goes away (killed) closes the socket: the daemon ends what it ran for it. A daemon that
 * goes away before EXIT leaves the command to report that and exit non-zero.
 */
public final class HandOverProtocol {
  public static final int MAGIC = 0x54484f31; // "THO1"
  public static final byte ACCEPTED = 'A';
  public static final byte FALL_BACK = 'F';
  public static final byte OTHER_BUILD = 'V';
  public static final byte INTERRUPT = 'I';
  public static final byte EXIT = 'X';
  /** Bounds what the daemon reads before it knows who asks: arguments, not data. */
  public static final int MAX_ARGS = 4096;

  private HandOverProtocol() {}

  /** The socket's name in the daemon's runtime directory. */
  public static Path socket(Path runtimeDir) {
    return runtimeDir.resolve("handover.sock");
  }

  /**
   * This build, as both sides see it: the jar the class came from, its size and modification time.
   * A daemon started before the jar was rebuilt (or from another one) differs and refuses the hand-over.
   */
  public static String build() {
    try {
      Path jar = Path.of(HandOverProtocol.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return jar + " " + Files.size(jar) + " " + Files.getLastModifiedTime(jar).toMillis();
    } catch (Exception e) {
      return "unknown";
    }
  }

  /** The request, as the daemon reads it. */
  public record Request(String build, String cwd, java.util.List<String> args) {
    public static Request read(DataInputStream in) throws IOException {
      if (in.readInt() != MAGIC) {
        throw new IOException("not a tether hand-over request");
      }
      String build = in.readUTF();
      String cwd = in.readUTF();
      int argc = in.readInt();
      if (argc < 0 || argc > MAX_ARGS) {
        throw new IOException("bad argument count " + argc);
      }
      java.util.List<String> args = new java.util.ArrayList<>(argc);
      for (int i = 0; i < argc; i++) {
        args.add(in.readUTF());
      }
      return new Request(build, cwd, args);
    }
  }
}
