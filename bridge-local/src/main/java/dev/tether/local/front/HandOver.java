package dev.tether.local.front;

import dev.tether.local.daemon.DaemonPaths;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * The process an editor or a script spawns for {@code tether lsp}, {@code dap}, {@code exec} and {@code fs cat|put}
 * (the launcher starts this main for them): it hands its stdin, stdout and stderr to the running daemon
 * and waits for the exit status, like OpenSSH's ControlMaster client. It loads no picocli, Gson or
 * LSP4J, so it starts in about a bare JVM's time.
 *
 * <p>Whatever the daemon cannot serve this way (no daemon yet, a host not connected yet, so possibly
 * prompts; usage errors; another build's daemon) runs the full CLI in this same process.
 */
public final class HandOver {
  private HandOver() {}

  public static void main(String[] args) {
    if (args.length == 1 && args[0].equals(WARM_UP)) {
      warmUp();
      return;
    }
    int status = run(args);
    if (status == FULL_CLI) {
      dev.tether.local.cli.Tether.main(args); // loads the full CLI only now
      return;
    }
    System.exit(status);
  }

  /**
   * {@code ./tether} runs this once per build with {@code -XX:ArchiveClassesAtExit}: the classes of a
   * hand-over, loaded and linked, go into the front end's class-data archive.
   */
  static final String WARM_UP = "--archive-classes";

  private static void warmUp() {
    String nativeCopy = System.getProperty("tether.front.native");
    if (nativeCopy != null) {
      extractNativeLibrary(Path.of(nativeCopy));
    }
    try (AFUNIXSocket socket = AFUNIXSocket.newInstance()) {
      socket.setOutboundFileDescriptors(FileDescriptor.in, FileDescriptor.out, FileDescriptor.err);
      request(new String[] {"exec", "local", "--", "true"});
      HandOverProtocol.socket(DaemonPaths.fromEnvironment().dir());
      new DataInputStream(new java.io.ByteArrayInputStream(new byte[0])).available();
      AFUNIXSocketAddress.of(Path.of("/nonexistent"));
    } catch (IOException ignored) {
      // only the loading mattered
    }
  }

  /**
   * Copies junixsocket's JNI library for this machine out of the jar once per build, so that each start
   * loads it from there ({@code -Dorg.newsclub.net.unix.library.override}, set by {@code ./tether})
   * instead of extracting it to a temporary file first.
   */
  private static void extractNativeLibrary(Path target) {
    String arch = System.getProperty("os.arch").equals("amd64") ? "amd64" : System.getProperty("os.arch");
    String prefix = "lib/" + arch + "-Linux-clang/jni/libjunixsocket-native-";
    try (java.util.zip.ZipFile jar = new java.util.zip.ZipFile(
        HandOver.class.getProtectionDomain().getCodeSource().getLocation().getPath())) {
      java.util.Optional<? extends java.util.zip.ZipEntry> entry = jar.stream()
          .filter(e -> e.getName().startsWith(prefix) && !e.getName().endsWith(".nodeps.so") && e.getName().endsWith(".so"))
          .findFirst();
      if (entry.isPresent()) {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (java.io.InputStream in = jar.getInputStream(entry.get())) {
          Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      }
    } catch (IOException | RuntimeException e) {
      System.err.println("tether: could not copy junixsocket's native library: " + e.getMessage());
    }
  }

  /** Not an exit status: run the full CLI instead. */
  static final int FULL_CLI = -1;

  static int run(String[] args) {
    Path socketPath = HandOverProtocol.socket(DaemonPaths.fromEnvironment().dir());
    if (args.length == 0 || !Files.exists(socketPath)) {
      return FULL_CLI; // no daemon yet: the full CLI starts one
    }
    AFUNIXSocket socket;
    DataInputStream fromDaemon;
    OutputStream toDaemon;
    try {
      socket = AFUNIXSocket.newInstance();
      socket.connect(AFUNIXSocketAddress.of(socketPath));
      socket.setOutboundFileDescriptors(FileDescriptor.in, FileDescriptor.out, FileDescriptor.err);
      toDaemon = socket.getOutputStream();
      toDaemon.write(request(args)); // one write: the descriptors travel with its bytes
      toDaemon.flush();
      fromDaemon = new DataInputStream(socket.getInputStream());
    } catch (IOException e) {
      return FULL_CLI; // a stale socket or a daemon on its way out: the full CLI copes
    }
    try (socket) {
      byte answer = fromDaemon.readByte();
      if (answer == HandOverProtocol.OTHER_BUILD) {
        System.err.println("tether: " + fromDaemon.readUTF());
        return FULL_CLI;
      }
      if (answer != HandOverProtocol.ACCEPTED) {
        return FULL_CLI;
      }
      if (args[0].equals("exec")) {
        forwardInterrupts(toDaemon);
      }
      return awaitExit(fromDaemon, args[0]);
    } catch (IOException e) {
      return FULL_CLI; // refused before it started: nothing was read from stdin yet
    }
  }

  private static byte[] request(String[] args) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(HandOverProtocol.MAGIC);
    out.writeUTF(HandOverProtocol.build());
    out.writeUTF(Path.of("").toAbsolutePath().toString());
    out.writeInt(args.length);
    for (String arg : args) {
      out.writeUTF(arg);
    }
    return bytes.toByteArray();
  }

  /** Ctrl-C reaches the remote process as SIGINT (the daemon sends it), as with the full CLI. */
  @SuppressWarnings("restriction")
  private static void forwardInterrupts(OutputStream toDaemon) {
    sun.misc.Signal.handle(new sun.misc.Signal("INT"), signal -> {
      try {
        synchronized (toDaemon) {
          toDaemon.write(HandOverProtocol.INTERRUPT);
          toDaemon.flush();
        }
      } catch (IOException daemonGone) {
        // the exit status (or its absence) tells
      }
    });
  }

  /** Waits for the exit status; a daemon that goes away first is reported in one line. */
  private static int awaitExit(DataInputStream fromDaemon, String command) {
    try {
      while (true) {
        byte message = fromDaemon.readByte();
        if (message == HandOverProtocol.EXIT) {
          return fromDaemon.readInt();
        }
      }
    } catch (EOFException e) {
      return daemonLost("the tether daemon stopped during the command", command);
    } catch (IOException e) {
      return daemonLost("lost the tether daemon during the command: " + e.getMessage(), command);
    }
  }

  private static int daemonLost(String reason, String command) {
    System.err.println("tether: " + reason);
    switch (command) {
      case "lsp" -> {
        tellEditor("tether: " + reason);
        return 1; // as the full CLI's tether lsp on a lost session
      }
      case "dap" -> {
        tellDebugClient("tether: " + reason);
        return 1; // as the full CLI's tether dap when its adapter's channel goes
      }
      default -> {
        return 255; // as ssh when the connection goes
      }
    }
  }

  /** {@code tether lsp}: the editor hears of it too, as with any trouble (window/showMessage). */
  static void tellEditor(String text) {
    writeMessages("{\"jsonrpc\":\"2.0\",\"method\":\"window/showMessage\",\"params\":{\"type\":1,\"message\":\""
        + jsonString(text) + "\"}}");
  }

  /**
   * {@code tether dap}: the debug client hears of it as an {@code output} event (category important),
   * as the full CLI tells it a lost adapter, and then the stream ends. Its seq is 0, which no adapter
   * uses (they count from 1); the full CLI's {@code terminated} event is not sent, since without the
   * daemon's count a second message could only repeat a seq.
   */
  static void tellDebugClient(String text) {
    writeMessages("{\"seq\":0,\"type\":\"event\",\"event\":\"output\",\"body\":{\"category\":\"important\",\"output\":\""
        + jsonString(text + "\n") + "\"}}");
  }

  private static String jsonString(String text) {
    return text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  /** Content-Length framed, as LSP and DAP both frame their messages. */
  private static void writeMessages(String... messages) {
    try {
      OutputStream out = new FileOutputStream(FileDescriptor.out);
      for (String json : messages) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        out.write(("Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
      }
      out.flush();
    } catch (IOException clientGone) {
      // nobody left to tell
    }
  }
}
