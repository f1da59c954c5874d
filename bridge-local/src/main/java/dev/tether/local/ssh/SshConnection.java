package dev.tether.local.ssh;

import dev.tether.local.ssh.internal.Failures;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.sshd.client.SshClient;
import dev.tether.local.ssh.internal.ChannelDirectStreamLocal;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.channel.exception.SshChannelOpenException;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;

/**
 * One authenticated SSH connection to a target (possibly through jump hosts): run commands, upload
 * files. Everything rides on ONE TCP connection from this process to the first hop.
 *
 * <p>Threading: thread-safe; {@link #exec} and {@link #upload} may be called concurrently from any
 * thread (each uses its own SSH channel). {@link #close} may be called from any thread, any number of
 * times; it ends every channel and releases the client's threads.
 */
public final class SshConnection implements AutoCloseable {
  static final Duration CHANNEL_OPEN_TIMEOUT = Duration.ofSeconds(30);

  private final SshTarget target;
  private final SshClient client;
  private final List<ClientSession> sessions;
  private final List<AutoCloseable> resources;
  private final AtomicBoolean closed = new AtomicBoolean();

  SshConnection(SshTarget target, SshClient client, List<ClientSession> sessions, List<AutoCloseable> resources) {
    this.target = target;
    this.client = client;
    this.sessions = List.copyOf(sessions);
    this.resources = new ArrayList<>(resources);
  }

  public SshTarget target() {
    return target;
  }

  /**
   * The local end of this process's TCP connection to the first hop (the jump host, or the target
   * itself). Together with {@link #remoteAddress()} it identifies the connection as the server sees it.
   */
  public InetSocketAddress localAddress() {
    return (InetSocketAddress) sessions.get(0).getIoSession().getLocalAddress();
  }

  /** The remote end of the TCP connection to the first hop. */
  public InetSocketAddress remoteAddress() {
    return (InetSocketAddress) sessions.get(0).getIoSession().getRemoteAddress();
  }

  /** The MINA session to the target, for channels this class does not wrap (port forwarding, shells). */
  public ClientSession session() {
    return sessions.get(sessions.size() - 1);
  }

  public boolean isOpen() {
    return !closed.get() && session().isOpen();
  }

  /**
   * Starts {@code command} in the remote user's login shell, like {@code ssh host command}. The
   * caller must drain stdout and stderr (or close them): the SSH window stalls a command whose output
   * nobody reads.
   */
  public RemoteProcess exec(String command) {
    try {
      ChannelExec channel = session().createExecChannel(command);
      if (!channel.open().verify(CHANNEL_OPEN_TIMEOUT).isOpened()) {
        throw new IOException("channel not opened");
      }
      return new RemoteProcess(command, channel);
    } catch (IOException | RuntimeException e) {
      throw remoteFailure("cannot run '" + command + "' on " + target.address(), e);
    }
  }

  /**
   * Connects to the Unix socket {@code path} on the host through the server ({@code
   * direct-streamlocal@openssh.com}); {@code path} should be absolute, as the server's working
   * directory is its own.
   *
   * @throws StreamLocal.Refused when the server does not open the channel (see there)
   */
  public StreamLocal openStreamLocal(String path) throws StreamLocal.Refused {
    ChannelDirectStreamLocal channel = new ChannelDirectStreamLocal(path);
    try {
      session().getService(ConnectionService.class).registerChannel(channel);
      OpenFuture opened = channel.open();
      opened.verify(CHANNEL_OPEN_TIMEOUT);
      return new StreamLocal(path, channel);
    } catch (IOException | RuntimeException e) {
      channel.close(true);
      SshChannelOpenException refused = findOpenFailure(e);
      if (refused != null) {
        throw new StreamLocal.Refused("the server did not open " + ChannelDirectStreamLocal.TYPE + " to " + path
            + ": " + SshConstants.getOpenErrorCodeName(refused.getReasonCode()) + " (" + refused.getMessage() + ")",
            refused.getReasonCode(), e);
      }
      throw remoteFailure("cannot reach " + path + " on " + target.address(), e);
    }
  }

  private static SshChannelOpenException findOpenFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SshChannelOpenException open) {
        return open;
      }
    }
    return null;
  }

  /**
   * Copies {@code local} to {@code remotePath} over SFTP, creating missing parent directories, and
   * sets the file's permission bits to {@code mode} (e.g. {@code 0755}). A relative path (or one
   * starting with {@code ~/}) is relative to the remote home directory. An existing file is
   * overwritten in place.
   */
  public void upload(Path local, String remotePath, int mode) {
    upload(local, remotePath, mode, sent -> { });
  }

  /** {@link #upload(Path, String, int)}, telling {@code sent} the bytes written so far after each chunk. */
  public void upload(Path local, String remotePath, int mode, java.util.function.LongConsumer sent) {
    String path = remotePath.startsWith("~/") ? remotePath.substring(2) : remotePath;
    try (SftpClient sftp = SftpClientFactory.instance().createSftpClient(session());
       InputStream in = Files.newInputStream(local)) {
      makeParents(sftp, path);
      try (OutputStream out = sftp.write(path, SftpClient.OpenMode.Write, SftpClient.OpenMode.Create,
          SftpClient.OpenMode.Truncate)) {
        byte[] buffer = new byte[32 * 1024];
        long done = 0;
        for (int n; (n = in.read(buffer)) >= 0; ) {
          out.write(buffer, 0, n);
          sent.accept(done += n);
        }
      }
      sftp.setStat(path, new SftpClient.Attributes().perms(mode & 07777));
    } catch (IOException | RuntimeException e) {
      throw remoteFailure("upload of " + local + " to " + target.address() + ":" + remotePath + " failed", e);
    }
  }

  private static void makeParents(SftpClient sftp, String path) throws IOException {
    int slash = path.lastIndexOf('/');
    if (slash <= 0) {
      return;
    }
    StringBuilder dir = new StringBuilder(path.startsWith("/") ? "/" : "");
    for (String part : path.substring(0, slash).split("/")) {
      if (part.isEmpty()) {
        continue;
      }
      dir.append(part);
      ensureDirectory(sftp, dir.toString());
      dir.append('/');
    }
  }

  private static void ensureDirectory(SftpClient sftp, String dir) throws IOException {
    try {
      if (!sftp.stat(dir).isDirectory()) {
        throw new IOException(dir + " exists and is not a directory");
      }
    } catch (SftpException e) {
      if (e.getStatus() != SftpConstants.SSH_FX_NO_SUCH_FILE) {
        throw e;
      }
      sftp.mkdir(dir);
    }
  }

  private SshFailure remoteFailure(String what, Exception e) {
    if (e instanceof SshFailure f) {
      return f;
    }
    if (!isOpen()) {
      return new SshFailure(SshFailure.Kind.DISCONNECTED, what + ": the connection is closed", e);
    }
    return new SshFailure(SshFailure.Kind.REMOTE, what + ": " + Failures.describe(Failures.rootCause(e)), e);
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      closeAll(resources, client);
    }
  }

  /** Closes sessions and forwarders newest first (target before its jump hosts), then the client. */
  static void closeAll(List<AutoCloseable> opened, SshClient client) {
    List<AutoCloseable> reversed = new ArrayList<>(opened);
    Collections.reverse(reversed);
    for (AutoCloseable c : reversed) {
      try {
        c.close();
      } catch (Exception e) {
        // best effort: the client stop below tears down whatever is left
      }
    }
    client.stop();
  }

  @Override
  public String toString() {
    return "SshConnection[" + target.display() + (target.jumps().isEmpty() ? "" : " via " + target.jumps().size() + " jump(s)") + "]";
  }
}
