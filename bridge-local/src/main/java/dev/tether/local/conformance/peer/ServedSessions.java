package dev.tether.local.conformance.peer;

import dev.tether.adapters.ChannelKinds;
import dev.tether.adapters.Version;
import dev.tether.adapters.exec.remote.ExecHost;
import dev.tether.adapters.fs.remote.FileReadHost;
import dev.tether.adapters.fs.remote.FileWriteHost;
import dev.tether.adapters.fs.remote.FsHost;
import dev.tether.mux.ChannelAcceptor;
import dev.tether.mux.ErrorCode;
import dev.tether.mux.OpenRequest;
import dev.tether.mux.Session;
import dev.tether.mux.SessionConfig;
import dev.tether.mux.SessionListener;
import dev.tether.mux.SessionRegistry;
import dev.tether.mux.transport.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The peer's real sessions ({@code normal} and {@code cut}): the reference implementation's acceptor
 * with the agent's own fs, fs.read, fs.stat, fs.write, exec and exec.io hosts (the ones that need no PTY),
 * so a client meets exactly the code it will meet in {@code tether-remote}. A {@code cut} connection is
 * dropped, without a close frame, once the session has written {@link #CUT_AFTER} bytes on it; the
 * client's resume goes to the same registry and is judged by whether it came.
 *
 * <p>Threading: each connection's thread calls {@link #serve}; the mux calls the listener.
 */
final class ServedSessions {
  /** Bytes a {@code cut} connection carries before it is cut: past the hello, inside a transfer. */
  static final int CUT_AFTER = 256 * 1024;
  /** A cut session not resumed within this long closes, and the cut is judged failed. */
  static final Duration RESUME_WITHIN = Duration.ofSeconds(60);

  private final Consumer<Verdict> report;
  private final SessionRegistry registry;
  private final ExecHost processes = new ExecHost();
  private final Map<String, ChannelAcceptor> services = new LinkedHashMap<>();
  /** Sessions that were cut and not yet resumed, with the connection that was cut. */
  private final Map<String, Integer> cut = new ConcurrentHashMap<>();
  /** Sessions of {@code cut} connections not cut yet, with their connection. */
  private final Map<String, Integer> armed = new ConcurrentHashMap<>();

  ServedSessions(Consumer<Verdict> report) {
    this.report = report;
    FileReadHost files = new FileReadHost();
    FsHost fs = new FsHost();
    FileWriteHost writes = new FileWriteHost();
    services.put(ChannelKinds.FS, fs::open);
    services.put(ChannelKinds.FS_READ, files::open);
    services.put(ChannelKinds.FS_STAT, files::stat);
    services.put(ChannelKinds.FS_WRITE, writes::open);
    services.put(ChannelKinds.EXEC, processes::open);
    services.put(ChannelKinds.EXEC_IO, processes::stream);
    registry = new SessionRegistry(SessionConfig.defaults()
        .withName("conformance-peer")
        .withAgent("tether-conformance-peer/" + Version.current())
        .withDetachedTimeout(RESUME_WITHIN)
        .withAcceptor(this::dispatch)
        .withListener(listener()));
  }

  private void dispatch(OpenRequest request) throws Exception {
    ChannelAcceptor service = services.get(request.kind());
    if (service == null) {
      request.reject(ErrorCode.CHANNEL_REFUSED, "the conformance peer does not serve channel kind '" + request.kind()
          + "' (it serves " + String.join(", ", services.keySet()) + ")");
      return;
    }
    service.onOpen(request);
  }

  private SessionListener listener() {
    return new SessionListener() {
      @Override
      public void onDetached(Session session, String reason) {}

      @Override
      public void onResumed(Session session) {}

      @Override
      public void onClosed(Session session, ErrorCode code, String reason) {
        processes.sessionClosed(session);
        Integer uncut = armed.remove(session.id());
        if (uncut != null) {
          report.accept(Verdict.fail(Scenario.CUT.label(), uncut, "session " + session.id().substring(0, 8)
              + " ended (" + reason + ") before " + CUT_AFTER + " bytes went out, so nothing was cut; read more"
              + " (a file of a few MiB through fs.read) to exercise the resume"));
        }
        Integer connection = cut.remove(session.id());
        if (connection != null) {
          report.accept(Verdict.fail(Scenario.CUT.label(), connection, "client did not resume session "
              + session.id().substring(0, 8) + " after its connection was cut (" + reason + "); §8.4: the initiator"
              + " resumes on a new transport"));
        }
      }
    };
  }

  /**
   * Accepts a real session on {@code transport} (whose input yields the client's hello first), which
   * then runs on the mux's threads; {@code cutIt} drops the connection mid-transfer with
   * {@code disconnect} (no close handshake).
   */
  void serve(Transport transport, Runnable disconnect, int connection, boolean resume, boolean cutIt) {
    Scenario scenario = cutIt ? Scenario.CUT : Scenario.NORMAL;
    Cutter cutter = cutIt ? new Cutter(transport, disconnect, connection) : null;
    Session session;
    try {
      session = registry.accept(cutter == null ? transport : cutter);
    } catch (IOException e) {
      report.accept(Verdict.fail(resume ? "resume" : scenario.label(), connection, "the client's hello was refused: "
          + e.getMessage()));
      return;
    }
    String id = session.id().substring(0, 8);
    if (resume) {
      Integer wasCut = cut.remove(session.id());
      report.accept(wasCut != null
          ? Verdict.pass(Scenario.CUT.label(), connection, "client resumed session " + id + " on a new connection"
              + " after connection #" + wasCut + " was cut mid-transfer (§8.4)")
          : Verdict.pass("resume", connection, "client resumed session " + id + " (§2.4)"));
      return;
    }
    if (cutter != null) {
      armed.put(session.id(), connection);
      cutter.session = session;
      return;
    }
    report.accept(Verdict.pass(scenario.label(), connection, "client opened session " + id + " (§2.3)"));
  }

  /** A transport that drops its connection once {@link #CUT_AFTER} bytes went out (a network failure). */
  private final class Cutter implements Transport {
    private final Transport transport;
    private final Runnable disconnect;
    private final int connection;
    private final OutputStream output;
    volatile Session session;
    private long written;
    private boolean done;

    Cutter(Transport transport, Runnable disconnect, int connection) {
      this.transport = transport;
      this.disconnect = disconnect;
      this.connection = connection;
      this.output = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
          write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          count(len);
          transport.output().write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
          transport.output().flush();
        }
      };
    }

    /** Called by the session's writer thread only. */
    private void count(int len) throws IOException {
      if (done) {
        throw new IOException("cut by the conformance peer");
      }
      written += len;
      if (written >= CUT_AFTER) {
        done = true;
        Session cutSession = session;
        String id = cutSession == null ? "?" : cutSession.id();
        if (cutSession != null) {
          armed.remove(id);
          cut.put(id, connection);
        }
        report.accept(Verdict.info(Scenario.CUT.label(), connection, "cut the connection of session "
            + id.substring(0, Math.min(8, id.length())) + " after " + written + " bytes, mid-transfer; the client"
            + " should resume it (§8.4)"));
        disconnect.run();
        throw new IOException("cut by the conformance peer");
      }
    }

    @Override
    public InputStream input() {
      return transport.input();
    }

    @Override
    public OutputStream output() {
      return output;
    }

    @Override
    public void close() {
      transport.close();
    }

    @Override
    public String description() {
      return transport.description();
    }
  }
}
