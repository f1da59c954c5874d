package dev.tether.local.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import dev.tether.local.ssh.internal.ChannelDirectStreamLocal;
import org.apache.sshd.client.channel.ClientChannel;

/**
 * A connection to a Unix socket on the remote host, through the SSH server
 * ({@code direct-streamlocal@openssh.com}, like {@code ssh -L local:/remote/path}): no process runs
 * for it on the host.
 *
 * <p>Threading: the two streams may each be used by one thread at a time, concurrently with each
 * other; closing {@link #output()} sends EOF. {@link #close} from any thread.
 */
public final class StreamLocal implements AutoCloseable {
  /** The SSH channel type, as OpenSSH's PROTOCOL names it. */
  public static final String CHANNEL_TYPE = ChannelDirectStreamLocal.TYPE;

  private final String path;
  private final ClientChannel channel;

  StreamLocal(String path, ClientChannel channel) {
    this.path = path;
    this.channel = channel;
  }

  /** The socket's path on the host. */
  public String path() {
    return path;
  }

  /** What the socket sends. */
  public InputStream input() {
    return channel.getInvertedOut();
  }

  /** What the socket receives. */
  public OutputStream output() {
    return channel.getInvertedIn();
  }

  @Override
  public void close() {
    try {
      channel.close(false).await(Duration.ofSeconds(5));
    } catch (IOException e) {
      channel.close(true);
    }
  }

  /**
   * The server did not open the channel: stream-local forwarding refused ({@code
   * AllowStreamLocalForwarding no}), nothing listening on the path, or a server that does not know the
   * channel type. OpenSSH answers the first two alike ({@code SSH2_OPEN_CONNECT_FAILED}).
   */
  public static final class Refused extends IOException {
    private static final long serialVersionUID = 1L;
    /** RFC 4254's SSH_OPEN_UNKNOWN_CHANNEL_TYPE. */
    private static final int UNKNOWN_CHANNEL_TYPE = 3;

    private final int reasonCode;

    Refused(String message, int reasonCode, Throwable cause) {
      super(message, cause);
      this.reasonCode = reasonCode;
    }

    /** The SSH_MSG_CHANNEL_OPEN_FAILURE reason code (RFC 4254, 5.1). */
    public int reasonCode() {
      return reasonCode;
    }

    /** The server does not know {@code direct-streamlocal@openssh.com} at all (not OpenSSH). */
    public boolean unknownChannelType() {
      return reasonCode == UNKNOWN_CHANNEL_TYPE;
    }
  }
}
