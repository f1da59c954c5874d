package dev.tether.mux.jsonrpc;

import dev.tether.mux.Channel;
import dev.tether.mux.ChannelFlavour;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Blocking LSP-framed stream views of a message channel, so code written for a process's stdin and
 * stdout (an LSP4J {@code Launcher}, say) runs on a channel unchanged: the input yields each message
 * with its Content-Length header; bytes written to the output are decoded and sent as whole messages.
 */
public final class LspStreams {
  private LspStreams() {}

  public static InputStream input(Channel channel) {
    requireMessages(channel);
    return new InputStream() {
      private byte[] current = new byte[0];
      private int at;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (at == current.length) {
          byte[] body = channel.readMessage();
          if (body == null) {
            return -1;
          }
          byte[] header = BaseProtocol.header(body.length);
          current = new byte[header.length + body.length];
          System.arraycopy(header, 0, current, 0, header.length);
          System.arraycopy(body, 0, current, header.length, body.length);
          at = 0;
        }
        int n = Math.min(len, current.length - at);
        System.arraycopy(current, at, b, off, n);
        at += n;
        return n;
      }

      @Override
      public void close() {
        channel.closeInput();
      }
    };
  }

  public static OutputStream output(Channel channel, int maxMessageSize) {
    requireMessages(channel);
    BaseProtocolDecoder decoder = new BaseProtocolDecoder(maxMessageSize, channel::writeMessage);
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public synchronized void write(byte[] b, int off, int len) throws IOException {
        decoder.feed(b, off, len);
      }

      @Override
      public void close() throws IOException {
        if (!decoder.atMessageBoundary()) {
          channel.reset(dev.tether.mux.ErrorCode.PROTOCOL_ERROR, "stream closed inside an LSP message");
          throw new BaseProtocolException("stream closed inside an LSP message; the partial message was not sent", false);
        }
        channel.halfClose();
      }
    };
  }

  private static void requireMessages(Channel channel) {
    if (channel.flavour() != ChannelFlavour.MESSAGES) {
      throw new IllegalArgumentException("LSP stream views need a message channel, not " + channel);
    }
  }
}
