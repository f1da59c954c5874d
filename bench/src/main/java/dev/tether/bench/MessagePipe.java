package dev.tether.bench;

import dev.tether.mux.Channel;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Whole messages both ways, over a mux message channel or straight over a transport's streams, so one
 * round-trip loop measures both and the only difference is what carries the bytes.
 */
interface MessagePipe {
  void send(byte[] message) throws IOException;

  /** The next message, or null at the end of the stream. */
  byte[] receive() throws IOException;

  /** A message channel of a session: the library's own 4-byte length framing. */
  static MessagePipe of(Channel channel) {
    return new MessagePipe() {
      @Override
      public void send(byte[] message) throws IOException {
        channel.writeMessage(message);
      }

      @Override
      public byte[] receive() throws IOException {
        return channel.readMessage();
      }
    };
  }

  /**
   * Raw byte streams (a transport's, with no session) carrying the same framing: a 4-byte big-endian
   * length, then the body, written and flushed by the calling thread. The baseline with no mux.
   */
  static MessagePipe framed(InputStream rawIn, OutputStream rawOut) {
    DataInputStream in = new DataInputStream(new BufferedInputStream(rawIn, 64 * 1024));
    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(rawOut, 64 * 1024));
    return new MessagePipe() {
      @Override
      public void send(byte[] message) throws IOException {
        out.writeInt(message.length);
        out.write(message);
        out.flush();
      }

      @Override
      public byte[] receive() throws IOException {
        int length;
        try {
          length = in.readInt();
        } catch (EOFException end) {
          return null;
        }
        byte[] body = new byte[length];
        in.readFully(body);
        return body;
      }
    };
  }

  /** Answers every message with itself until the stream ends. */
  static void startEcho(MessagePipe pipe, String name) {
    Threads.start(name, () -> {
      try {
        byte[] message;
        while ((message = pipe.receive()) != null) {
          pipe.send(message);
        }
      } catch (IOException closedUnderUs) {
        // Tearing down a run closes the session or socket; the measuring side reports real failures.
      }
    });
  }
}
