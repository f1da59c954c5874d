package dev.tether.bench;

import dev.tether.mux.Channel;
import dev.tether.mux.ChannelFlavour;
import dev.tether.mux.Session;
import java.io.DataOutputStream;
import java.io.IOException;

/** A route of {@link WsBench} through a Tether session: an "echo" channel, and a "source" channel a read. */
final class SessionEndpoint implements WsBenchRoute {
  private final String name;
  private final Session session;
  private final AutoCloseable transport;
  private Channel echo;

  /** {@code transport}: what else ends with the route (the WebSocket client, the SSH connection); may be null. */
  SessionEndpoint(String name, Session session, AutoCloseable transport) {
    this.name = name;
    this.session = session;
    this.transport = transport;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void roundTrip(byte[] message) throws IOException {
    if (echo == null) {
      echo = session.open("echo", ChannelFlavour.MESSAGES, "");
    }
    echo.writeMessage(message);
    echo.readMessage();
  }

  @Override
  public long read(long bytes) throws IOException {
    Channel source = session.open("source", ChannelFlavour.BYTES, "");
    new DataOutputStream(source.outputStream()).writeLong(bytes);
    source.halfClose();
    return WsBench.drain(source.inputStream());
  }

  @Override
  public void close() throws Exception {
    session.close();
    if (transport != null) {
      transport.close();
    }
  }
}
