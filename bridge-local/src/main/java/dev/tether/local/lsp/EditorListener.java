package dev.tether.local.lsp;

import com.sun.security.auth.module.UnixSystem;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.SequenceInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.io.Closeable;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * {@code tether lsp --listen} and {@code tether dap --listen}: serves editors (or debug clients) that
 * connect to a loopback TCP port or a Unix socket, one language server (or debug adapter) per
 * connection, and only the user running it (docs/SECURITY.md). LSP and DAP share the base protocol's
 * {@code Content-Length} framing, so one first-message check serves both.
 *
 * <ul>
 *   <li>TCP binds a loopback address only; anything else is a usage error. A connection is accepted
 *       only when its socket belongs to this uid, looked up in {@code /proc/net/tcp} and {@code tcp6}
 *       (so TCP needs Linux; elsewhere use {@code unix:PATH}).
 *   <li>{@code unix:PATH} creates the socket with mode 0600 in a directory this uid owns (bound in a
 *       private directory, then renamed into place, so it is never reachable with the umask's mode),
 *       and checks the peer's uid ({@code SO_PEERCRED}) as well.
 *   <li>Either way, the first message must be a complete, well-formed LSP message ({@link FirstMessage})
 *       before the server is started on the host; anything else is closed at once. A connection that
 *       has not sent its whole first message within {@value #DEFAULT_FIRST_MESSAGE_SECONDS} s
 *       ({@code TETHER_FIRST_MESSAGE_TIMEOUT=SECONDS}) is closed: a silent or trickling local peer
 *       holds a thread only that long.
 * </ul>
 * Every refusal is one line on stderr: {@code tether lsp: refused a connection from ...: reason}.
 *
 * <p>Threading: {@link #serve} accepts on the calling thread until the process ends; each connection
 * is checked and served on a daemon thread of its own, so one slow connection never delays another.
 * First-message deadlines fire on one shared daemon thread, which only closes the connection (its own
 * thread then fails out of its read).
 */
public final class EditorListener {
  /** How long a connection may take to send its whole first message, unless configured. */
  public static final int DEFAULT_FIRST_MESSAGE_SECONDS = 10;
  /** The environment variable that sets that limit, in seconds. */
  public static final String FIRST_MESSAGE_TIMEOUT_VARIABLE = "TETHER_FIRST_MESSAGE_TIMEOUT";
  private static final int MAX_FIRST_MESSAGE_SECONDS = 3600;
  private static final ScheduledExecutorService DEADLINES = deadlineThread();

  private final Address address;
  private final Duration firstMessageTimeout;
  private final long uid = new UnixSystem().getUid();

  /** What serves one accepted connection until it ends (a front end's {@code serve}). */
  @FunctionalInterface
  public interface Connection {
    int serve(InputStream in, OutputStream out) throws Exception;
  }

  /** Where to listen: a loopback TCP address or a Unix socket path. */
  public sealed interface Address permits Tcp, Unix {}

  /** A loopback address and port (0: any free port). */
  public record Tcp(InetSocketAddress address) implements Address {}

  /** A Unix socket path. */
  public record Unix(Path path) implements Address {}

  private EditorListener(Address address, Duration firstMessageTimeout) {
    this.address = address;
    this.firstMessageTimeout = firstMessageTimeout;
  }

  /** Like {@link #parse(String, Map)} with this process's environment. */
  public static EditorListener parse(String spec) {
    return parse(spec, System.getenv());
  }

  /**
   * Parses {@code HOST:PORT} or {@code unix:PATH}; the first-message deadline comes from
   * {@value #FIRST_MESSAGE_TIMEOUT_VARIABLE} in {@code env}.
   *
   * @throws IllegalArgumentException with a message fit for a usage error, for a malformed value, a
   *     host that is not loopback or a malformed deadline
   */
  public static EditorListener parse(String spec, Map<String, String> env) {
    Duration timeout = firstMessageTimeout(env.get(FIRST_MESSAGE_TIMEOUT_VARIABLE));
    if (spec.startsWith("unix:")) {
      String path = spec.substring("unix:".length());
      if (path.isEmpty()) {
        throw new IllegalArgumentException("--listen unix: needs a path, e.g. unix:/run/user/1000/tether-lsp.sock");
      }
      return new EditorListener(new Unix(Path.of(path).toAbsolutePath().normalize()), timeout);
    }
    int colon = spec.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("--listen needs HOST:PORT (a loopback host) or unix:PATH, got '" + spec + "'");
    }
    String host = spec.substring(0, colon).replace("[", "").replace("]", "");
    int port;
    try {
      port = Integer.parseInt(spec.substring(colon + 1));
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--listen needs a port from 0 to 65535, got '" + spec + "'");
    }
    InetAddress bind;
    try {
      bind = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("--listen: unknown host '" + host + "'");
    }
    if (!bind.isLoopbackAddress()) {
      throw new IllegalArgumentException("--listen serves this machine's user only: bind a loopback address"
          + " (127.0.0.1, ::1, localhost) or unix:PATH, not '" + host + "'");
    }
    if (!ProcNetTcp.available()) {
      throw new IllegalArgumentException("--listen HOST:PORT needs /proc/net/tcp to check who connects;"
          + " use --listen unix:PATH on this system");
    }
    return new EditorListener(new Tcp(new InetSocketAddress(bind, port)), timeout);
  }

  private static Duration firstMessageTimeout(String seconds) {
    if (seconds == null || seconds.isBlank()) {
      return Duration.ofSeconds(DEFAULT_FIRST_MESSAGE_SECONDS);
    }
    try {
      int parsed = Integer.parseInt(seconds.trim());
      if (parsed > 0 && parsed <= MAX_FIRST_MESSAGE_SECONDS) {
        return Duration.ofSeconds(parsed);
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(FIRST_MESSAGE_TIMEOUT_VARIABLE + " must be a number of seconds from 1 to "
        + MAX_FIRST_MESSAGE_SECONDS + ", got '" + seconds + "'");
  }

  /** The same listener with another first-message deadline (tests use a short one). */
  EditorListener withFirstMessageTimeout(Duration timeout) {
    return new EditorListener(address, timeout);
  }

  public Address address() {
    return address;
  }

  public Duration firstMessageTimeout() {
    return firstMessageTimeout;
  }

  /** Accepts editors until the process ends; returns only by an exception. */
  public int serve(String command, Connection frontEnd, PrintStream stderr) throws IOException {
    Log log = new Log("tether " + command + ": ", stderr);
    if (address instanceof Unix unix) {
      return serveUnix(unix.path(), frontEnd, log);
    }
    try (ServerSocket server = new ServerSocket()) {
      server.bind(((Tcp) address).address());
      log.line("listening on " + server.getLocalSocketAddress() + " (one server per connection)");
      while (true) {
        Socket editor = server.accept();
        start(() -> serveTcp(editor, frontEnd, log), "editor " + editor.getRemoteSocketAddress());
      }
    }
  }

  /** Lines on stderr, each starting with the command's name. */
  private record Log(String prefix, PrintStream stderr) {
    void line(String text) {
      stderr.println(prefix + text);
    }
  }

  private void serveTcp(Socket editor, Connection frontEnd, Log log) {
    String peer = String.valueOf(editor.getRemoteSocketAddress());
    try (editor) {
      // The peer's socket: its local end is our remote end, and the other way round.
      OptionalInt owner = ProcNetTcp.ownerOf((InetSocketAddress) editor.getRemoteSocketAddress(),
          (InetSocketAddress) editor.getLocalSocketAddress());
      if (owner.isEmpty() || owner.getAsInt() != uid) {
        log.line("refused a connection from " + peer + ": "
            + (owner.isEmpty() ? "its owner cannot be found in /proc/net/tcp" : "it belongs to uid " + owner.getAsInt())
            + ", not to uid " + uid);
        return;
      }
      editor.setTcpNoDelay(true);
      InputStream in = firstMessageChecked(editor.getInputStream(), editor, peer, log);
      if (in != null) {
        frontEnd.serve(in, editor.getOutputStream());
      }
    } catch (Exception e) {
      log.line("connection " + peer + " ended: " + e.getMessage());
    }
  }

  private int serveUnix(Path path, Connection frontEnd, Log log) throws IOException {
    try (ServerSocketChannel server = bindPrivately(path)) {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(path), "remove " + path));
      log.line("listening on unix:" + path + " (one server per connection)");
      while (true) {
        SocketChannel editor = server.accept();
        start(() -> serveUnix(editor, path, frontEnd, log), "editor unix:" + path);
      }
    }
  }

  private void serveUnix(SocketChannel editor, Path path, Connection frontEnd, Log log) {
    String peer = "unix:" + path;
    try (editor) {
      UnixDomainPrincipal principal = editor.getOption(ExtendedSocketOptions.SO_PEERCRED);
      String user = principal.user().getName();
      if (!user.equals(new UnixSystem().getUsername())) {
        log.line("refused a connection on " + peer + " from user " + user);
        return;
      }
      InputStream in = firstMessageChecked(inputOf(editor), editor, peer, log);
      if (in != null) {
        frontEnd.serve(in, outputOf(editor));
      }
    } catch (Exception e) {
      log.line("connection " + peer + " ended: " + e.getMessage());
    }
  }

  /**
   * A stream reading {@code channel}. Not {@link Channels#newInputStream}: its streams share the
   * channel's blocking lock, so a read waiting for the editor would block every write to it.
   */
  static InputStream inputOf(SocketChannel channel) {
    return new InputStream() {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
          return 0;
        }
        int n;
        do {
          n = channel.read(ByteBuffer.wrap(b, off, len));
        } while (n == 0);
        return n;
      }
    };
  }

  /** A stream writing {@code channel}; see {@link #inputOf}. */
  static OutputStream outputOf(SocketChannel channel) {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
      }
    };
  }

  /**
   * The connection's input with its checked first message in front, or null after refusing it: the
   * server is started only for a connection that has sent a whole base-protocol message within the
   * deadline. When the deadline passes first, the connection is closed (which ends the read) and
   * logged once.
   */
  private InputStream firstMessageChecked(InputStream in, Closeable connection, String peer, Log log)
      throws IOException {
    FirstMessageDeadline deadline = new FirstMessageDeadline(connection, peer, log);
    try {
      byte[] first = FirstMessage.read(in, LspFrontEnd.MAX_MESSAGE);
      return deadline.met() ? new SequenceInputStream(new ByteArrayInputStream(first), in) : null;
    } catch (FirstMessage.NotLsp e) {
      if (deadline.met()) {
        log.line("refused a connection from " + peer + ": " + e.getMessage());
      }
      return null;
    } catch (IOException e) {
      if (deadline.met()) {
        throw e;
      }
      return null; // closed by the deadline, which logged it
    }
  }

  /**
   * Closes a connection that has not sent its whole first message in time. Exactly one of {@link #met}
   * and the expiry wins; the expiry logs one line and closes the connection.
   */
  private final class FirstMessageDeadline {
    private static final int PENDING = 0;
    private static final int MET = 1;
    private static final int EXPIRED = 2;
    private final AtomicInteger state = new AtomicInteger(PENDING);
    private final ScheduledFuture<?> expiry;

    FirstMessageDeadline(Closeable connection, String peer, Log log) {
      expiry = DEADLINES.schedule(() -> {
        if (state.compareAndSet(PENDING, EXPIRED)) {
          long millis = firstMessageTimeout.toMillis();
          log.line("closed a connection from " + peer + ": no whole first message within "
              + (millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms"));
          closeQuietly(connection);
        }
      }, firstMessageTimeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** True when the first message came in time (the deadline is cancelled); false once it expired. */
    boolean met() {
      expiry.cancel(false);
      return state.compareAndSet(PENDING, MET) || state.get() == MET;
    }
  }

  private static ScheduledExecutorService deadlineThread() {
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, work -> {
      Thread thread = new Thread(work, "tether-listen-deadlines");
      thread.setDaemon(true);
      return thread;
    });
    executor.setRemoveOnCancelPolicy(true);
    return executor;
  }

  private static void closeQuietly(Closeable connection) {
    try {
      connection.close();
    } catch (IOException e) {
      // closing to end it: nothing more to do
    }
  }

  /**
   * Binds {@code path} with mode 0600 from the start: the socket is made in a fresh 0700 directory
   * beside it, made 0600, then renamed into place (a stale socket there is replaced).
   */
  private ServerSocketChannel bindPrivately(Path path) throws IOException {
    Path dir = path.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new IOException("--listen unix:" + path + ": the directory " + dir + " does not exist");
    }
    int dirOwner = (Integer) Files.getAttribute(dir, "unix:uid");
    if (dirOwner != uid) {
      throw new IOException("--listen unix:" + path + ": the directory " + dir + " belongs to uid " + dirOwner
          + ", not to you (uid " + uid + "); choose one of yours, such as $XDG_RUNTIME_DIR");
    }
    if (Files.exists(path, LinkOption.NOFOLLOW_LINKS) && !isSocket(path)) {
      throw new IOException("--listen unix:" + path + ": a file that is not a socket is already there");
    }
    Path staging = Files.createTempDirectory(dir, ".tether-listen-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path staged = staging.resolve("s");
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      server.bind(UnixDomainSocketAddress.of(staged));
      Files.setPosixFilePermissions(staged, PosixFilePermissions.fromString("rw-------"));
      Files.move(staged, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return server;
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    } finally {
      Files.deleteIfExists(staged);
      Files.deleteIfExists(staging);
    }
  }

  private static boolean isSocket(Path path) throws IOException {
    int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    return (mode & 0170000) == 0140000;
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      // leaving: a stale socket is replaced by the next --listen
    }
  }

  private static void start(Runnable work, String name) {
    Thread thread = new Thread(work, name);
    thread.setDaemon(true);
    thread.start();
  }
}
