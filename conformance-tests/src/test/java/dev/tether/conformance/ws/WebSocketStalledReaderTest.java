package dev.tether.conformance.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tether.adapters.fs.RemoteFileSystem;
import dev.tether.adapters.ws.WebSocketTransport;
import dev.tether.local.ws.WsConnector;
import dev.tether.mux.Session;
import dev.tether.mux.SessionConfig;
import dev.tether.mux.transport.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * A client that stops reading in the middle of a 1 GiB file read (its whole session stops reading the
 * WebSocket, as a frozen browser tab would) must not make the agent buffer the rest: what crosses the
 * wire stops near the channel window, and the agent's memory stays bounded.
 */
class WebSocketStalledReaderTest {
  @Test
  void aClientThatStopsReadingMidReadLeavesTheAgentBounded() throws Exception {
    Path home = Files.createTempDirectory("tether-ws-stall-");
    Path big = home.resolve("big.bin");
    try (RandomAccessFile file = new RandomAccessFile(big.toFile(), "rw")) {
      file.setLength(1L << 30); // sparse: 1 GiB to read, no disk used
    }
    try (ServeProcess serve = ServeProcess.start(home, "--listen", "127.0.0.1:0", "--allow-host", "localhost");
        CuttingProxy proxy = new CuttingProxy(serve.port)) {
      WsConnector.Connected ws = WsConnector.connect("ws://localhost:" + proxy.port() + "/",
          new WsConnector.Credentials(serve.token(), null));
      Stalling stalling = new Stalling(ws.transport());
      Session session = Session.connect(stalling, SessionConfig.defaults());
      try {
        InputStream in = new RemoteFileSystem(session::open).openRead(big.toString());
        byte[] buffer = new byte[1 << 20];
        long read = 0;
        while (read < (8 << 20)) {
          read += in.read(buffer);
        }
        stalling.stall();
        long carried = awaitQuiet(proxy);
        assertTrue(carried < (64L << 20), "the agent kept sending to a client that stopped reading: " + carried + " bytes");
        long rss = rssKib(serve.process.pid());
        assertTrue(rss < 512 * 1024, "the agent's RSS grew to " + rss + " KiB");
        assertTrue(serve.process.isAlive(), "the agent must still run");
      } finally {
        stalling.release.countDown();
        session.close();
        ws.connection().close();
      }
    } finally {
      ServeProcess.deleteTree(home);
    }
    assertEquals(false, Files.exists(home));
  }

  /** Waits (bounded) until the proxy has carried nothing new for two seconds; returns the bytes carried. */
  private static long awaitQuiet(CuttingProxy proxy) throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    long last = -1;
    long quietSince = System.nanoTime();
    while (System.nanoTime() < deadline) {
      long now = proxy.captured().length;
      if (now != last) {
        last = now;
        quietSince = System.nanoTime();
      } else if (System.nanoTime() - quietSince > 2_000_000_000L) {
        return now;
      }
      Thread.sleep(100); // a bounded poll of the proxy's byte count
    }
    throw new AssertionError("the agent was still sending after 60 s: " + last + " bytes");
  }

  private static long rssKib(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new AssertionError("no VmRSS for " + pid);
  }

  /** The client's transport, whose reading can be stopped: its session then reads nothing more. */
  private static final class Stalling implements Transport {
    private final WebSocketTransport inner;
    private volatile boolean stalled;
    final CountDownLatch release = new CountDownLatch(1);
    private final InputStream in;

    Stalling(WebSocketTransport inner) {
      this.inner = inner;
      this.in = new InputStream() {
        @Override
        public int read() throws IOException {
          byte[] one = new byte[1];
          return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          if (stalled) {
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            throw new IOException("stalled reader released");
          }
          return inner.input().read(b, off, len);
        }
      };
    }

    void stall() {
      stalled = true;
    }

    @Override
    public InputStream input() {
      return in;
    }

    @Override
    public OutputStream output() {
      return inner.output();
    }

    @Override
    public void close() {
      release.countDown();
      inner.close();
    }

    @Override
    public String description() {
      return inner.description();
    }
  }
}
