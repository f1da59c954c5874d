package dev.tether.local.daemon;

import dev.tether.local.front.HandOverProtocol;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketCredentials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's hand-over socket ({@link HandOverProtocol}): accepts a command's stdin, stdout and
 * stderr (SCM_RIGHTS), runs the command's data path here on them, and sends back its exit status.
 *
 * <p>Who may use it: the user the daemon runs as. The socket is 0600 in the 0700 runtime directory, and
 * each connection's peer uid (SO_PEERCRED) is checked as well, so a socket made reachable by mistake
 * still serves no one else.
 *
 * <p>Threading: one accept thread; one thread per handed-over command runs its job, another reads its
 * interrupts and notices its going away.
 */
final class HandOverServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HandOverServer.class);

  private final Path socketPath;
  private final HandOverHandler handler;
  private final HandOverHandler.Hosts hosts;
  private final long ownUid;
  private final String build = HandOverProtocol.build();
  private final AtomicLong served = new AtomicLong();
  private final AtomicLong running = new AtomicLong();
  private AFUNIXServerSocket server;

  HandOverServer(Path socketPath, HandOverHandler handler, HandOverHandler.Hosts hosts) throws IOException {
    this.socketPath = socketPath;
    this.handler = handler;
    this.hosts = hosts;
    this.ownUid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
  }

  void start() throws IOException {
    Files.deleteIfExists(socketPath);
    server = AFUNIXServerSocket.newInstance();
    server.bind(AFUNIXSocketAddress.of(socketPath));
    Files.setPosixFilePermissions(socketPath, PosixFilePermissions.fromString("rw-------"));
    Thread accept = new Thread(this::acceptLoop, "handover-accept");
    accept.setDaemon(true);
    accept.start();
  }

  /** Commands served so far / still running: for {@code tether daemon status} and the tests. */
  long served() {
    return served.get();
  }

  long running() {
    return running.get();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      AFUNIXSocket socket;
      try {
        socket = server.accept();
      } catch (IOException e) {
        if (!server.isClosed()) {
          LOG.warn("hand-over accept failed: {}", e.getMessage());
        }
        return;
      }
      Thread thread = new Thread(() -> serve(socket), "handover");
      thread.setDaemon(true);
      thread.start();
    }
  }

  private void serve(AFUNIXSocket socket) {
    try (socket) {
      if (!samePeerUser(socket)) {
        return;
      }
      socket.setAncillaryReceiveBufferSize(1024);
      DataInputStream in = new DataInputStream(socket.getInputStream());
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      HandOverProtocol.Request request;
      FileDescriptor[] fds;
      try {
        request = HandOverProtocol.Request.read(in);
      } finally {
        fds = socket.getReceivedFileDescriptors();
      }
      run(request, fds, in, out);
    } catch (IOException e) {
      LOG.debug("hand-over ended: {}", e.getMessage());
    }
  }

  private boolean samePeerUser(AFUNIXSocket socket) throws IOException {
    AFUNIXSocketCredentials peer = socket.getPeerCredentials();
    if (peer == null || peer.getUid() != ownUid) {
      LOG.warn("refused a hand-over from uid {} (this daemon serves uid {} only)",
          peer == null ? "unknown" : peer.getUid(), ownUid);
      return false;
    }
    return true;
  }

  private void run(HandOverProtocol.Request request, FileDescriptor[] fds, DataInputStream in, DataOutputStream out)
      throws IOException {
    if (fds == null || fds.length != 3) {
      HandedStdio.closeAll(fds == null ? new FileDescriptor[0] : fds, new java.nio.channels.FileChannel[0]);
      refuse(out, HandOverProtocol.FALL_BACK, "expected 3 descriptors, got " + (fds == null ? 0 : fds.length));
      return;
    }
    if (!request.build().equals(build)) {
      HandedStdio.closeAll(fds, new java.nio.channels.FileChannel[0]);
      refuse(out, HandOverProtocol.OTHER_BUILD, "the running tether daemon is from another build ("
          + build + "; this command: " + request.build() + "), so this command runs on its own; "
          + "'tether daemon stop' ends the old daemon");
      return;
    }
    HandOverHandler.Job job;
    try {
      job = handler.prepare(List.copyOf(request.args()), Path.of(request.cwd()), hosts);
    } catch (HandOverHandler.FallBack fallBack) {
      HandedStdio.closeAll(fds, new java.nio.channels.FileChannel[0]);
      LOG.debug("hand-over of '{}' declined: {}", String.join(" ", request.args()), fallBack.getMessage());
      refuse(out, HandOverProtocol.FALL_BACK, fallBack.getMessage());
      return;
    }
    try (HandedStdio io = new HandedStdio(fds)) {
      out.writeByte(HandOverProtocol.ACCEPTED);
      out.flush();
      served.incrementAndGet();
      running.incrementAndGet();
      try {
        int status = runJob(job, io, in);
        io.close(); // everything written is in the descriptors before the command hears the status
        out.writeByte(HandOverProtocol.EXIT);
        out.writeInt(status);
        out.flush();
      } finally {
        running.decrementAndGet();
      }
    }
  }

  /** Runs the job while another thread watches the command for interrupts and for its going away. */
  private int runJob(HandOverHandler.Job job, HandedStdio io, InputStream fromCommand) {
    AtomicBoolean done = new AtomicBoolean();
    Thread watch = new Thread(() -> watch(fromCommand, io, done), "handover-watch");
    watch.setDaemon(true);
    watch.start();
    try {
      return job.run(io);
    } catch (Exception e) {
      io.err().println("tether: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
      return 1;
    } finally {
      done.set(true);
    }
  }

  private static void watch(InputStream fromCommand, HandedStdio io, AtomicBoolean done) {
    try {
      int b;
      while ((b = fromCommand.read()) >= 0) {
        if (b == HandOverProtocol.INTERRUPT) {
          io.interrupt();
        }
      }
    } catch (IOException closed) {
      // the socket closed under us: same as the command going away, unless the job is done
    }
    if (!done.get()) {
      LOG.debug("a handed-over command went away before it finished: ending its work");
      io.abort();
    }
  }

  private static void refuse(DataOutputStream out, byte kind, String reason) throws IOException {
    out.writeByte(kind);
    out.writeUTF(reason);
    out.flush();
  }

  @Override
  public void close() {
    try {
      if (server != null) {
        server.close();
      }
      Files.deleteIfExists(socketPath);
    } catch (IOException e) {
      LOG.debug("closing the hand-over socket: {}", e.getMessage());
    }
  }
}
