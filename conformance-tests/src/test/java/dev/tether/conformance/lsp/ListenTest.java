package dev.tether.conformance.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.sun.security.auth.module.UnixSystem;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code tether lsp --listen}, tried as a web page and as another local user would (docs/SECURITY.md):
 * a real {@code tether lsp} with the real agent ({@code local}), whose server command first appends a
 * line to a file, so the test can count the language servers the host started.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ListenTest {
  private static final Duration LOG_WAIT = Duration.ofSeconds(60);
  private static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"capabilities\":{}}}";

  private Path base;
  private Path project;
  private Path starts;
  private TetherCli tether;
  private Listener tcp;

  @BeforeAll
  void setUp() throws IOException {
    assertEquals(0L, new UnixSystem().getUid(), "ListenTest runs a client as another user (setpriv), which needs root");
    base = Files.createTempDirectory("tether-listen-");
    project = Files.createDirectories(base.resolve("project"));
    starts = base.resolve("server-starts");
    Files.writeString(starts, "");
    Lsp.scriptedServer("/hostile/hostile_server.py", base, "server.py");
    tether = new TetherCli(base.resolve("run"), base.resolve("cache"), base.resolve("logs"));
    tcp = listen("127.0.0.1:0");
  }

  @AfterAll
  void tearDown() {
    try {
      tether.close();
    } finally {
      Projects.deleteTree(base);
    }
  }

  @Test
  void anHttpRequestIsClosedAtOnceAndStartsNoServer() throws IOException {
    for (String request : List.of("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        "POST /x HTTP/1.1\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}",
        "X-Custom: 1\r\nContent-Length: 2\r\n\r\n{}")) {
      int refusals = tcp.count(l -> l.contains("refused a connection") && l.contains("not an LSP header"));
      int before = serversStarted();
      try (Socket socket = new Socket()) {
        socket.connect(tcp.address());
        socket.setSoTimeout((int) LOG_WAIT.toMillis());
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        assertEquals(-1, socket.getInputStream().read(), "tether answered " + request.lines().findFirst().orElseThrow());
      }
      tcp.awaitLines(l -> l.contains("refused a connection") && l.contains("not an LSP header"), ++refusals);
      assertEditorWorks(tcp);
      assertEquals(before + 1, serversStarted(), "servers started for the refused request and one editor");
    }
  }

  @Test
  void aConnectionFromAnotherUserIsRefused() throws IOException, InterruptedException {
    int before = serversStarted();
    String received = asNobody("import socket,sys\n"
        + "s=socket.create_connection(('127.0.0.1'," + tcp.address().getPort() + "))\n"
        + "b=" + pythonBytes(INITIALIZE) + "\n"
        + "s.sendall(b'Content-Length: %d\\r\\n\\r\\n' % len(b) + b)\n"
        + "print(len(s.recv(65536)))\n");
    assertEquals("0", received.strip(), "bytes the other user's client received");
    tcp.awaitLine(l -> l.contains("refused a connection") && l.contains("belongs to uid 65534"));
    assertEditorWorks(tcp);
    assertEquals(before + 1, serversStarted(), "servers started for the other user and one editor");
  }

  @Test
  void aNonLoopbackAddressIsAUsageError() {
    for (String address : List.of("0.0.0.0:0", "[::]:0", "192.0.2.1:4000")) {
      TetherCli.Result result = tether.run("lsp", "local", "--listen", address, "--", "true");
      assertEquals(2, result.exit(), result.toString());
      assertTrue(result.stderr().contains("loopback"), result.toString());
    }
  }

  @Test
  void aUnixSocketHasMode0600AndServesItsOwnerOnly() throws IOException, InterruptedException {
    Path dir = Files.createDirectories(base.resolve("sock"));
    Path socket = dir.resolve("lsp.sock");
    Listener unix = listen("unix:" + socket);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket, LinkOption.NOFOLLOW_LINKS)));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x")); // only the socket's mode stops nobody
    String nobody = asNobody("import socket\n"
        + "s=socket.socket(socket.AF_UNIX)\n"
        + "try:\n  s.connect('" + socket + "')\n  print('connected')\n"
        + "except PermissionError:\n  print('denied')\n");
    assertEquals("denied", nobody.strip());
    int before = serversStarted();
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(socket));
      // Not Channels.newInputStream/newOutputStream: they share the channel's lock, so a pending read blocks writes.
      LspEditor editor = new LspEditor(new InputStream() {
        @Override
        public int read() throws IOException {
          byte[] one = new byte[1];
          return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          return len == 0 ? 0 : channel.read(ByteBuffer.wrap(b, off, len));
        }
      }, new OutputStream() {
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
      }, "unix");
      talk(editor);
    }
    awaitServers(before + 1);
    unix.process.destroy();
    assertTrue(unix.process.waitFor(30, TimeUnit.SECONDS), "tether lsp --listen did not stop on SIGTERM");
    assertTrue(Files.notExists(socket, LinkOption.NOFOLLOW_LINKS), "the socket is removed on exit");
  }

  private void assertEditorWorks(Listener listener) throws IOException {
    int before = serversStarted();
    try (Socket socket = new Socket()) {
      socket.connect(listener.address());
      talk(new LspEditor(socket.getInputStream(), socket.getOutputStream(), "tcp"));
    }
    awaitServers(before + 1);
  }

  /** A normal editor: initialize is answered by the server on the host, then it leaves. */
  private static void talk(LspEditor editor) {
    JsonObject result = editor.call("initialize", Lsp.json("{\"capabilities\": {}}")).getAsJsonObject();
    assertTrue(result.getAsJsonObject("capabilities").get("definitionProvider").getAsBoolean(), result.toString());
    editor.call("shutdown", null);
    editor.notify("exit", null);
  }

  private int serversStarted() throws IOException {
    return (int) Files.readAllLines(starts).stream().filter(l -> !l.isBlank()).count();
  }

  /** The server command appends its line before the server starts, so before initialize is answered. */
  private void awaitServers(int count) throws IOException {
    assertEquals(count, serversStarted());
  }

  private Listener listen(String address) throws IOException {
    Process process = tether.startPiped(project, "lsp", "local", "--listen", address, "--", "sh", "-c",
        "echo started >> '" + starts + "'; exec python3 '" + base.resolve("server.py") + "'");
    process.getOutputStream().close();
    Listener listener = new Listener(process);
    listener.awaitLine(l -> l.contains("listening on"));
    return listener;
  }

  private String asNobody(String python) throws IOException, InterruptedException {
    Path script = base.resolve("client-" + System.nanoTime() + ".py");
    Files.writeString(script, python);
    script.toFile().setReadable(true, false);
    base.toFile().setExecutable(true, false);
    Process client = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
        "/usr/bin/python3", script.toString()).redirectErrorStream(true).start();
    client.getOutputStream().close();
    String out = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(client.waitFor(60, TimeUnit.SECONDS), "the other user's client did not finish");
    assertEquals(0, client.exitValue(), out);
    return out;
  }

  private static String pythonBytes(String ascii) {
    return "b'" + ascii.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  /** A running {@code tether lsp --listen}, with its stderr lines collected as they come. */
  private static final class Listener {
    private static final Pattern PORT = Pattern.compile("listening on /127\\.0\\.0\\.1:(\\d+)");
    final Process process;
    private final List<String> lines = new ArrayList<>();

    Listener(Process process) {
      this.process = process;
      Thread reader = new Thread(() -> collect(process.getErrorStream()), "listen stderr");
      reader.setDaemon(true);
      reader.start();
      Thread stdout = new Thread(() -> drain(process.getInputStream()), "listen stdout");
      stdout.setDaemon(true);
      stdout.start();
    }

    private void collect(InputStream in) {
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = reader.readLine()) != null) {
          synchronized (lines) {
            lines.add(line);
            lines.notifyAll();
          }
        }
      } catch (IOException ignored) {
        // the process ended
      }
    }

    private static void drain(InputStream in) {
      try (in) {
        in.transferTo(java.io.OutputStream.nullOutputStream());
      } catch (IOException ignored) {
        // the process ended
      }
    }

    int count(Predicate<String> match) {
      synchronized (lines) {
        return (int) lines.stream().filter(match).count();
      }
    }

    /** Waits until {@code n} lines match. */
    void awaitLines(Predicate<String> match, int n) {
      long deadline = System.nanoTime() + LOG_WAIT.toNanos();
      synchronized (lines) {
        while (count(match) < n) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw new AssertionError("tether lsp --listen did not log the expected line; its stderr: " + lines);
          }
          try {
            lines.wait(Math.max(1, left / 1_000_000));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
          }
        }
      }
    }

    String awaitLine(Predicate<String> match) {
      long deadline = System.nanoTime() + LOG_WAIT.toNanos();
      synchronized (lines) {
        while (true) {
          for (String line : lines) {
            if (match.test(line)) {
              return line;
            }
          }
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw new AssertionError("tether lsp --listen did not log the expected line; its stderr: " + lines);
          }
          try {
            lines.wait(Math.max(1, left / 1_000_000));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
          }
        }
      }
    }

    InetSocketAddress address() {
      Matcher m = PORT.matcher(awaitLine(l -> PORT.matcher(l).find()));
      assertTrue(m.find());
      return new InetSocketAddress("127.0.0.1", Integer.parseInt(m.group(1)));
    }
  }
}
