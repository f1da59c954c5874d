package dev.tether.local.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EditorListenerTest {
  /** How long a test waits for something that should happen at once; never reached when it works. */
  private static final long BOUND_SECONDS = 20;

  @TempDir
  Path dir;
  @Test
  void loopbackAddressesAndUnixPathsAreAccepted() {
    for (String spec : new String[] {"127.0.0.1:0", "localhost:4000", "[::1]:4000", "127.9.9.9:65535"}) {
      EditorListener.Tcp tcp = (EditorListener.Tcp) EditorListener.parse(spec).address();
      assertTrue(tcp.address().getAddress().isLoopbackAddress(), spec);
    }
    assertEquals(new EditorListener.Unix(Path.of("/run/user/1/lsp.sock")),
        EditorListener.parse("unix:/run/user/1/x/../lsp.sock").address());
  }

  @Test
  void anythingElseIsAUsageErrorThatSaysWhy() {
    for (String spec : new String[] {"0.0.0.0:4000", "[::]:4000", "192.0.2.1:4000"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EditorListener.parse(spec));
      assertTrue(e.getMessage().contains("loopback"), e.getMessage());
    }
    for (String spec : new String[] {"4000", ":4000", "127.0.0.1:", "127.0.0.1:70000", "127.0.0.1:x", "unix:"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EditorListener.parse(spec));
      assertTrue(e.getMessage().startsWith("--listen"), e.getMessage());
    }
  }

  @Test
  void theFirstMessageDeadlineIsTenSecondsUnlessConfigured() {
    assertEquals(Duration.ofSeconds(10), EditorListener.parse("unix:/tmp/x.sock", Map.of()).firstMessageTimeout());
    assertEquals(Duration.ofSeconds(3), EditorListener.parse("unix:/tmp/x.sock",
        Map.of(EditorListener.FIRST_MESSAGE_TIMEOUT_VARIABLE, "3")).firstMessageTimeout());
    for (String bad : new String[] {"0", "-1", "ten", "3601"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EditorListener.parse(
          "unix:/tmp/x.sock", Map.of(EditorListener.FIRST_MESSAGE_TIMEOUT_VARIABLE, bad)));
      assertTrue(e.getMessage().startsWith(EditorListener.FIRST_MESSAGE_TIMEOUT_VARIABLE), e.getMessage());
    }
  }

  @Test
  void aSilentConnectionIsClosedAtItsDeadlineWhileAnotherEditorIsServed() throws Exception {
    Path socket = dir.resolve("lsp.sock");
    BlockingQueue<String> log = new LinkedBlockingQueue<>();
    EditorListener listener = EditorListener.parse("unix:" + socket, Map.of())
        .withFirstMessageTimeout(Duration.ofMillis(500));
    Thread serving = new Thread(() -> {
      try {
        listener.serve("lsp", EditorListenerTest::echo, lines(log));
      } catch (IOException e) {
        log.add("serve failed: " + e);
      }
    }, "listener under test");
    serving.setDaemon(true);
    serving.start();
    assertTrue(poll(log).startsWith("tether lsp: listening on unix:"));

    try (SocketChannel silent = connect(socket); SocketChannel trickling = connect(socket);
        SocketChannel editor = connect(socket)) {
      send(trickling, "Content-Len"); // a header begun and never finished
      send(editor, message("{\"id\":1}"));
      assertEquals(message("{\"id\":1}"), bounded(() -> receive(editor)),
          "the editor is served while the others are pending");

      String first = poll(log);
      String second = poll(log);
      assertTrue(first.contains("no whole first message within 500 ms"), first);
      assertTrue(second.contains("no whole first message within 500 ms"), second);
      assertEquals(-1, bounded(() -> silent.read(ByteBuffer.allocate(1))), "the silent connection was closed");
      assertEquals(-1, bounded(() -> trickling.read(ByteBuffer.allocate(1))), "the trickling connection was closed");

      send(editor, message("{\"id\":2}"));
      assertEquals(message("{\"id\":2}"), bounded(() -> receive(editor)), "a served editor outlives the deadline");
    } finally {
      serving.interrupt();
    }
  }

  /** Runs a blocking read with a bound, so that a broken listener fails the test instead of hanging it. */
  private static <T> T bounded(org.junit.jupiter.api.function.ThrowingSupplier<T> read) {
    return assertTimeoutPreemptively(Duration.ofSeconds(BOUND_SECONDS), read);
  }

  private static PrintStream lines(BlockingQueue<String> log) {
    return new PrintStream(new OutputStream() {
      private final ByteArrayOutputStream line = new ByteArrayOutputStream();

      @Override
      public synchronized void write(int b) {
        if (b == '\n') {
          log.add(line.toString(StandardCharsets.UTF_8));
          line.reset();
        } else {
          line.write(b);
        }
      }
    }, true, StandardCharsets.UTF_8);
  }

  private static String poll(BlockingQueue<String> log) throws InterruptedException {
    String line = log.poll(BOUND_SECONDS, TimeUnit.SECONDS);
    assertTrue(line != null, "no log line within " + BOUND_SECONDS + " s");
    return line;
  }

  /** The front end under the listener: answers each message with the same message. */
  private static int echo(InputStream in, OutputStream out) throws IOException {
    while (true) {
      int length = -1;
      for (String line = headerLine(in); !line.isEmpty(); line = headerLine(in)) {
        length = Integer.parseInt(line.substring("Content-Length:".length()).trim());
      }
      byte[] body = in.readNBytes(length);
      out.write(message(new String(body, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
      out.flush();
    }
  }

  private static String headerLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new IOException("the editor left");
      }
      line.append((char) b);
    }
    return line.toString().strip();
  }

  private static String message(String json) {
    return "Content-Length: " + json.length() + "\r\n\r\n" + json;
  }

  private static SocketChannel connect(Path socket) throws IOException {
    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    channel.connect(UnixDomainSocketAddress.of(socket));
    return channel;
  }

  private static void send(SocketChannel channel, String text) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    while (bytes.hasRemaining()) {
      channel.write(bytes);
    }
  }

  /** Reads until one whole message (as {@link #message} writes it) has arrived. */
  private static String receive(SocketChannel channel) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    ByteBuffer buffer = ByteBuffer.allocate(256);
    while (!isWholeMessage(got.toString(StandardCharsets.UTF_8))) {
      buffer.clear();
      if (channel.read(buffer) < 0) {
        throw new IOException("closed after " + got);
      }
      got.write(buffer.array(), 0, buffer.position());
    }
    return got.toString(StandardCharsets.UTF_8);
  }

  private static boolean isWholeMessage(String text) {
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      return false;
    }
    int length = Integer.parseInt(text.substring("Content-Length:".length(), text.indexOf("\r\n")).trim());
    return text.length() >= end + 4 + length;
  }
}
