package dev.tether.local.ssh.internal;

import java.io.IOException;
import org.apache.sshd.client.channel.AsyncCapableClientChannel;
import org.apache.sshd.client.future.DefaultOpenFuture;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.channel.LocalWindow;
import org.apache.sshd.common.util.buffer.Buffer;

/**
 * A {@code direct-streamlocal@openssh.com} channel: the server connects to a Unix socket on its side
 * and the channel carries that connection's bytes (OpenSSH's PROTOCOL, section 2.4; {@code ssh -L
 * port:/path}). MINA SSHD 2.x has no client channel of this type, so this one is ours: the open
 * request names the socket path followed by the two reserved fields (an empty string and 0, what
 * OpenSSH's own client sends); everything after the open is MINA's, as for {@code direct-tcpip}.
 *
 * <p>Threading: as any MINA client channel; {@link #open} once, from any thread.
 */
public final class ChannelDirectStreamLocal extends AsyncCapableClientChannel {
  public static final String TYPE = "direct-streamlocal@openssh.com";

  private final String socketPath;

  public ChannelDirectStreamLocal(String socketPath) {
    super(TYPE, false);
    if (socketPath == null || socketPath.isEmpty()) {
      throw new IllegalArgumentException("a socket path is needed");
    }
    this.socketPath = socketPath;
  }

  public String socketPath() {
    return socketPath;
  }

  @Override
  public synchronized OpenFuture open() throws IOException {
    if (closeFuture.isClosed()) {
      throw new SshException("Session has been closed");
    }
    openFuture = new DefaultOpenFuture(socketPath, futureLock);
    LocalWindow window = getLocalWindow();
    String type = getChannelType();
    Buffer buffer = getSession().createBuffer(SshConstants.SSH_MSG_CHANNEL_OPEN,
        type.length() + socketPath.length() + 32);
    buffer.putString(type);
    buffer.putUInt(getChannelId());
    buffer.putUInt(window.getSize());
    buffer.putUInt(window.getPacketSize());
    buffer.putString(socketPath);
    buffer.putString(""); // reserved
    buffer.putUInt(0); // reserved
    writePacket(buffer);
    return openFuture;
  }
}
