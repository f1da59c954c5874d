package dev.tether.conformance.transport;

import dev.tether.mux.testing.TransportFactory;
import dev.tether.mux.transport.StreamTransport;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Sessions over real OS pipes: each direction runs through a {@code cat} process, as a session runs
 * through the pipes of {@code ssh host tether-remote stdio}. A cut kills both processes.
 */
class ProcessPipeTransportConformanceTest extends TransportConformanceTest {
  @Override
  protected TransportFactory newFactory() {
    List<Process> started = new ArrayList<>();
    return new TransportFactory() {
      @Override
      public Connection connect() throws IOException {
        Process up = start();
        Process down = start();
        Runnable kill = () -> {
          up.destroyForcibly();
          down.destroyForcibly();
        };
        // Closing a side closes its pipes, so cat delivers what it holds and then ends the stream, as a
        // socket close does; only a cut kills the processes.
        return new Connection(
            new StreamTransport(down.getInputStream(), up.getOutputStream(), "pipes (initiator)"),
            new StreamTransport(up.getInputStream(), down.getOutputStream(), "pipes (acceptor)"),
            kill);
      }

      private Process start() throws IOException {
        Process process = new ProcessBuilder("cat").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        synchronized (started) {
          started.add(process);
        }
        return process;
      }

      @Override
      public void close() throws InterruptedException {
        synchronized (started) {
          for (Process process : started) {
            process.destroyForcibly();
          }
          for (Process process : started) {
            process.waitFor(10, TimeUnit.SECONDS);
          }
        }
      }
    };
  }
}
