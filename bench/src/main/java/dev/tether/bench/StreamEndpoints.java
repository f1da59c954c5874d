package dev.tether.bench;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@link WsBench}'s routes without a session: a direct TCP socket, and OpenSSH's client. */
final class StreamEndpoints {
  private StreamEndpoints() {}

  /**
   * The baseline: a TCP echo (first connection of a pair) and a source (a connection that sends a
   * count, then reads that many bytes), on loopback. Threading: one thread accepts, one per connection.
   */
  static final class DirectTcp implements AutoCloseable {
    private final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());

    DirectTcp() throws IOException {
      Threads.start("tcp-accept", () -> {
        try {
          while (true) {
            Socket socket = listener.accept();
            socket.setTcpNoDelay(true);
            Threads.start("tcp-serve", () -> serve(socket));
          }
        } catch (IOException closed) {
          // the bench is over
        }
      });
    }

    /** The first byte says what the connection is for: 'e' echo, 's' source. */
    private static void serve(Socket socket) throws IOException {
      try (socket) {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        OutputStream out = socket.getOutputStream();
        if (in.readByte() == 'e') {
          byte[] buffer = new byte[65536];
          for (int n; (n = in.read(buffer)) >= 0; ) {
            out.write(buffer, 0, n);
          }
        } else {
          WsBench.writeZeros(out, in.readLong());
        }
      }
    }

    WsBenchRoute connect() throws IOException {
      Socket echo = socket('e');
      return new WsBenchRoute() {
        private final DataInputStream in = new DataInputStream(echo.getInputStream());

        @Override
        public String name() {
          return "direct TCP, no session";
        }

        @Override
        public void roundTrip(byte[] message) throws IOException {
          echo.getOutputStream().write(message);
          in.readFully(message);
        }

        @Override
        public long read(long bytes) throws IOException {
          try (Socket source = socket('s')) {
            new DataOutputStream(source.getOutputStream()).writeLong(bytes);
            return WsBench.drain(source.getInputStream());
          }
        }

        @Override
        public void close() throws IOException {
          echo.close();
        }
      };
    }

    private Socket socket(char purpose) throws IOException {
      Socket socket = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
      socket.setTcpNoDelay(true);
      socket.getOutputStream().write(purpose);
      return socket;
    }

    @Override
    public void close() throws IOException {
      listener.close();
    }
  }

  /**
   * OpenSSH's client: {@code ssh host cat} echoes, {@code ssh host 'echo; read n; head -c "$n" /dev/zero'}
   * reads (timed from the count sent, once the shell runs). Each a process of its own, ended by its pid.
   */
  static WsBenchRoute openSsh(List<String> ssh) throws IOException {
    Process echo = start(ssh, "cat");
    return new WsBenchRoute() {
      private final DataInputStream in = new DataInputStream(echo.getInputStream());

      @Override
      public String name() {
        return "OpenSSH (`ssh host cat`, `ssh host head -c N /dev/zero`)";
      }

      @Override
      public void roundTrip(byte[] message) throws IOException {
        echo.getOutputStream().write(message);
        echo.getOutputStream().flush();
        in.readFully(message);
      }

      private Process source;

      /** Connects and waits for the shell's first line, so the connection's set-up is not timed. */
      @Override
      public void beforeRead() throws IOException {
        source = start(ssh, "echo; read n; head -c \"$n\" /dev/zero");
        if (source.getInputStream().read() != '\n') {
          throw new IOException("ssh host echo: no line; see the ssh errors above");
        }
      }

      @Override
      public long read(long bytes) throws IOException {
        try {
          source.getOutputStream().write((bytes + "\n").getBytes(StandardCharsets.US_ASCII));
          source.getOutputStream().flush();
          return WsBench.drain(source.getInputStream());
        } finally {
          end(source);
        }
      }

      @Override
      public void close() throws IOException {
        end(echo);
      }
    };
  }

  private static Process start(List<String> ssh, String remoteCommand) throws IOException {
    List<String> command = new ArrayList<>(ssh);
    command.add(remoteCommand);
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  /** Ends {@code process} by its pid: stdin closed first, so a clean end is the usual one. */
  private static void end(Process process) throws IOException {
    process.getOutputStream().close();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
