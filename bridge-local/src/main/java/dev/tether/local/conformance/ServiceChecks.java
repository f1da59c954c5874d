package dev.tether.local.conformance;

import static dev.tether.local.conformance.Check.require;

import dev.tether.adapters.exec.ExecClient;
import dev.tether.adapters.exec.ExecClient.ExecProcess;
import dev.tether.adapters.exec.ExecService.StartParams;
import dev.tether.adapters.fs.FileChange;
import dev.tether.adapters.fs.FileSystemError;
import dev.tether.adapters.fs.FsWire;
import dev.tether.adapters.fs.RemoteFileSystem;
import dev.tether.adapters.ports.Ports;
import dev.tether.adapters.ports.ReverseForward;
import dev.tether.adapters.terminal.TerminalClient;
import dev.tether.adapters.terminal.TerminalService;
import dev.tether.mux.Channel;
import dev.tether.mux.Session;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The {@code services} group: the agent's fs and exec services (docs/SERVICES.md, docs/FS.md,
 * docs/TERMINALS.md, docs/PORTS.md) through the public Java client API ({@link Session}, {@link RemoteFileSystem},
 * {@link ExecClient}, {@link TerminalClient}, {@link Ports}), as a custom client uses them. Files go to a directory of their own under the
 * host's /tmp, removed at the end.
 */
public final class ServiceChecks {
  private ServiceChecks() {}

  public static List<Check> all() {
    return List.of(
        new Check("services.fs-write-read", "a file written through fs.write reads back byte for byte, and fs/stat has its size",
            "SERVICES.md fs.write, fs.read; FS.md", ServiceChecks::writeRead),
        new Check("services.fs-atomic-write", "readers see the old file until a write completes; an abandoned write changes nothing",
            "SERVICES.md fs.write; FS.md", ServiceChecks::atomicWrite),
        new Check("services.fs-not-found", "fs/stat of a missing path fails with FileNotFound naming the path",
            "SERVICES.md; FS.md", ServiceChecks::notFound),
        new Check("services.exec-exit-code", "exec/wait reports a process's exit status, and 128+N after signal N",
            "SERVICES.md exec; TERMINALS.md exec/wait, exec/signal", ServiceChecks::exitCodes),
        new Check("services.fs-watch", "a file created, changed and deleted on the host under a watched directory is reported, each in turn",
            "FS.md fs.watch", ServiceChecks::watch),
        new Check("services.terminal", "a terminal runs a command, the host sees a resize, and a re-attachment replays the output and goes on",
            "TERMINALS.md terminal methods, terminal.io", ServiceChecks::terminal),
        new Check("services.port-half-close", "bytes sent through tcp.connect and half-closed reach the host's listener as end of stream; the whole answer comes back",
            "PORTS.md byte semantics; tcp.connect, tcp.listen", ServiceChecks::portHalfClose));
  }

  /** A session to the agent through the public API, and a scratch directory on the host. */
  private record Host(Session session, RemoteFileSystem fs, String dir) implements AutoCloseable {
    static Host open(Target target) throws Exception {
      Session session = CheckSupport.session(target);
      RemoteFileSystem fs = new RemoteFileSystem(session::open);
      String dir = "/tmp/tether-conformance-" + UUID.randomUUID();
      try {
        fs.mkdir(dir);
      } catch (Exception e) {
        session.close();
        throw e;
      }
      return new Host(session, fs, dir);
    }

    @Override
    public void close() {
      try {
        fs.delete(dir, true);
      } catch (Exception ignored) {
        // the check's verdict matters more than the clean-up; the directory is under /tmp
      } finally {
        fs.close();
        session.close();
      }
    }
  }

  static void writeRead(Target target) throws Exception {
    try (Host host = Host.open(target)) {
      byte[] content = new byte[300_000];
      new Random(13).nextBytes(content);
      String path = host.dir() + "/file.bin";
      try (var out = host.fs().openWrite(path, true, true)) {
        out.write(content);
      }
      byte[] back = host.fs().readAllBytes(path);
      require(Arrays.equals(content, back), "read back " + back.length + " bytes that differ from the "
          + content.length + " written");
      long size = host.fs().stat(path).size;
      require(size == content.length, "fs/stat says " + size + " bytes, " + content.length + " were written");
    }
  }

  static void atomicWrite(Target target) throws Exception {
    try (Host host = Host.open(target)) {
      String path = host.dir() + "/atomic.txt";
      byte[] old = "old content\n".getBytes(StandardCharsets.UTF_8);
      try (var out = host.fs().openWrite(path, true, true)) {
        out.write(old);
      }
      RemoteFileSystem.FileWriter pending = host.fs().openWrite(path, true, true);
      pending.write(new byte[100_000]);
      require(Arrays.equals(old, host.fs().readAllBytes(path)), "a reader saw a write in progress");
      pending.abort();
      require(Arrays.equals(old, host.fs().readAllBytes(path)), "an abandoned write changed the file");
      byte[] fresh = "new content\n".getBytes(StandardCharsets.UTF_8);
      try (var out = host.fs().openWrite(path, false, true)) {
        out.write(fresh);
      }
      require(Arrays.equals(fresh, host.fs().readAllBytes(path)), "the completed write is not in place");
      require(tempFilesGo(host), "temporary files left beside the target: " + host.fs().readDir(host.dir()).stream().map(e -> e.name).toList());
    }
  }

  /**
   * Whether the abandoned write's temporary file is removed: the agent does it on its writer thread after
   * the RESET, so it is polled for, within a deadline.
   */
  private static boolean tempFilesGo(Host host) throws Exception {
    return CheckSupport.eventually(() -> host.fs().readDir(host.dir()).size() == 1);
  }

  static void notFound(Target target) throws Exception {
    try (Host host = Host.open(target)) {
      String path = host.dir() + "/missing";
      try {
        host.fs().stat(path);
        throw new Check.Failure("fs/stat of a missing path succeeded");
      } catch (FileSystemError e) {
        require(e.kind() == FileSystemError.Kind.FileNotFound && e.getMessage().contains(path),
            "expected FileNotFound naming " + path + ", got " + e.kind() + ": " + e.getMessage());
      }
    }
  }

  static void exitCodes(Target target) throws Exception {
    try (Host host = Host.open(target); ExecClient exec = ExecClient.open(host.session()::open)) {
      require(waitFor(exec.shell("exit 3")) == 3, "'exit 3' did not report status 3");
      StartParams sleep = new StartParams();
      sleep.argv = List.of("sleep", "300");
      ExecProcess sleeping = exec.start(sleep);
      sleeping.signal("TERM");
      int status = waitFor(sleeping);
      require(status == 128 + 15, "'sleep' ended by SIGTERM reported " + status + ", expected 143");
    }
  }

  private static int waitFor(ExecProcess process) throws Exception {
    process.closeStdin();
    process.discardStdout();
    process.discardStderr();
    return process.waitFor();
  }

  static void watch(Target target) throws Exception {
    try (Host host = Host.open(target); ExecClient exec = ExecClient.open(host.session()::open)) {
      String watched = host.dir() + "/watched";
      host.fs().mkdir(watched);
      FsWire.WatchRequest request = new FsWire.WatchRequest();
      request.path = watched;
      try (RemoteFileSystem.Watch watch = host.fs().watch(request)) {
        String file = watched + "/file.txt";
        // Each change is made by a shell on the host, one inotify event each (the file is moved in, so
        // its creation is not also a write), and awaited before the next: no report can stand for a
        // later change, and the batching cannot merge them.
        hostShell(exec, "printf one > " + host.dir() + "/staged.txt && mv " + host.dir() + "/staged.txt " + file);
        awaitChange(watch, FileChange.Type.created, file);
        hostShell(exec, "printf two >> " + file);
        awaitChange(watch, FileChange.Type.changed, file);
        hostShell(exec, "rm " + file);
        awaitChange(watch, FileChange.Type.deleted, file);
      }
    }
  }

  private static void hostShell(ExecClient exec, String command) throws Exception {
    int status = waitFor(exec.shell(command));
    require(status == 0, "'" + command + "' on the host exited with " + status);
  }

  /** Reads the watch's batches until one reports {@code type} for {@code path}; other changes are skipped. */
  private static void awaitChange(RemoteFileSystem.Watch watch, FileChange.Type type, String path) throws Exception {
    List<FileChange> seen = new CopyOnWriteArrayList<>();
    try {
      CheckSupport.within("'" + type + " " + path + "' from the " + watch.mode() + " watch", () -> {
        while (true) {
          FsWire.WatchMessage message = watch.next();
          require(message != null, "the watch ended before reporting '" + type + " " + path + "'");
          if (message.changes != null) {
            seen.addAll(message.changes);
            if (message.changes.contains(new FileChange(type, path))) {
              return null;
            }
          }
        }
      });
    } catch (Check.Failure e) {
      throw new Check.Failure(e.getMessage() + (seen.isEmpty() ? "" : " (saw " + seen + ")"));
    }
  }

  static void terminal(Target target) throws Exception {
    try (Host host = Host.open(target); TerminalClient terminals = TerminalClient.open(host.session()::open)) {
      TerminalService.CreateParams params = new TerminalService.CreateParams();
      params.argv = List.of("sh");
      params.cols = 80;
      params.rows = 24;
      String id = terminals.create(params).id;
      try {
        try (TerminalClient.Attachment view = terminals.attach(id)) {
          Screen screen = new Screen(view);
          screen.type("stty size");
          screen.await("24 80", "stty size in a new 80x24 terminal");
          TerminalService.TerminalInfo resized = terminals.resize(id, 100, 30);
          require(resized.cols == 100 && resized.rows == 30, "terminal/resize answered "
              + resized.cols + "x" + resized.rows + ", asked for 100x30");
          screen.type("stty size");
          screen.await("30 100", "stty size after terminal/resize to 100x30");
        }
        try (TerminalClient.Attachment view = terminals.attach(id)) {
          Screen screen = new Screen(view);
          screen.await("30 100", "the scrollback replayed to a re-attachment");
          screen.type("echo re$((40+2))attached");
          screen.await("re42attached", "the output of a command typed into the re-attachment");
          screen.type("exit 7");
        }
        int status = CheckSupport.within("terminal/wait after 'exit 7'", () -> terminals.awaitExit(id));
        require(status == 7, "the terminal's shell ended by 'exit 7' reported status " + status);
      } finally {
        killQuietly(terminals, id);
      }
    }
  }

  private static void killQuietly(TerminalClient terminals, String id) {
    try {
      if (terminals.list().stream().anyMatch(t -> t.id.equals(id) && t.alive)) {
        terminals.kill(id, "KILL");
      }
    } catch (Exception ignored) {
      // the session's end ends the terminal anyway
    }
  }

  /** A terminal attachment's output read as text, for waiting until something appears on it. */
  private static final class Screen {
    private final TerminalClient.Attachment view;
    private final StringBuilder text = new StringBuilder();
    private int from;

    Screen(TerminalClient.Attachment view) {
      this.view = view;
    }

    void type(String line) throws Exception {
      view.input().write((line + "\r").getBytes(StandardCharsets.UTF_8));
      view.input().flush();
    }

    /** Reads until {@code needle} appears after what an earlier wait matched; fails at the end of output or the deadline. */
    void await(String needle, String what) throws Exception {
      try {
        CheckSupport.within(what, () -> {
          byte[] buffer = new byte[4096];
          while (text.indexOf(needle, from) < 0) {
            int n = view.output().read(buffer);
            require(n >= 0, "the terminal's output ended");
            synchronized (text) {
              text.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
            }
          }
          from = text.indexOf(needle, from) + needle.length();
          return null;
        });
      } catch (Check.Failure e) {
        throw new Check.Failure(e.getMessage() + " ('" + needle + "'); the terminal showed " + tail());
      }
    }

    private String tail() {
      String all;
      synchronized (text) {
        all = text.toString();
      }
      all = all.replaceAll("\\p{Cntrl}", " ");
      return all.length() <= 200 ? "'" + all + "'" : "'…" + all.substring(all.length() - 200) + "'";
    }
  }

  static void portHalfClose(Target target) throws Exception {
    byte[] request = new byte[200_000];
    new Random(4).nextBytes(request);
    try (Host host = Host.open(target); ServerSocket echo = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Ports ports = new Ports(host.session()::open);
      // The host's service: a listener on the host's 127.0.0.1 (tcp.listen) whose connections come here,
      // to an echo that answers only after the end of what it was sent.
      Thread server = new Thread(() -> echoAfterEnd(echo), "conformance echo");
      server.setDaemon(true);
      server.start();
      try (ReverseForward listener = ports.reverse(null, 0, (InetSocketAddress) echo.getLocalSocketAddress(), p -> { })) {
        Channel connection = ports.connect("127.0.0.1", listener.remotePort());
        try {
          connection.write(request, 0, request.length);
          connection.halfClose();
          byte[] answer = CheckSupport.within("answer to the end after the half-close (the service answers after end of stream)",
              () -> connection.inputStream().readAllBytes());
          require(Arrays.equals(request, answer), "the answer has " + answer.length
              + " bytes that differ from the " + request.length + " sent");
        } finally {
          connection.close();
        }
      }
    }
  }

  /** Accepts one connection, reads it to the end, then sends all of it back and closes. */
  private static void echoAfterEnd(ServerSocket echo) {
    try (Socket socket = echo.accept()) {
      byte[] all = socket.getInputStream().readAllBytes();
      socket.getOutputStream().write(all);
    } catch (IOException ignored) {
      // the check sees the missing answer and says so
    }
  }
}
