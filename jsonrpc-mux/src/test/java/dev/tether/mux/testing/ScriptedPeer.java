package dev.tether.mux.testing;

import dev.tether.mux.ErrorCode;
import dev.tether.mux.internal.Bytes;
import dev.tether.mux.internal.Frame;
import dev.tether.mux.internal.FrameReader;
import dev.tether.mux.internal.FrameType;
import dev.tether.mux.internal.FrameWriter;
import dev.tether.mux.internal.Hello;
import dev.tether.mux.internal.Payloads;
import dev.tether.mux.transport.Transport;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The other end of a session, played by the test frame by frame (like okhttp's MockHttp2Peer): it
 * sends exactly the frames the test writes, with the sequence numbers and acks the test chooses, and
 * lets the test expect the frames the session under test sends.
 */
public final class ScriptedPeer implements AutoCloseable {
  /** A frame the session sent, with the ack it carried. */
  public record Received(Frame frame, long ack) {
    public FrameType type() {
      return frame.type;
    }

    public int channel() {
      return frame.channel;
    }

    public Payloads.Error error() throws Exception {
      return Payloads.parseError(frame.payload);
    }
  }

  private static final Object END = new Object();

  private final Transport transport;
  private final OutputStream out;
  private final BlockingQueue<Object> inbound = new LinkedBlockingQueue<>();
  private long sentSeq;
  private long receivedSeq;
  private Hello peerHello;

  public ScriptedPeer(Transport transport) {
    this.transport = transport;
    this.out = transport.output();
  }

  /** Plays the acceptor's handshake: reads the session's hello and answers with a fresh session id. */
  public Hello acceptHandshake(int maxFrameSize) throws IOException {
    peerHello = Hello.readFrom(transport.input());
    new Hello(Hello.MAJOR, Hello.MINOR, "scripted-peer", Set.of("resume"), maxFrameSize, 1 << 20,
        new byte[16], new byte[32], -1, null, null).writeTo(out);
    startReading(maxFrameSize);
    return peerHello;
  }

  /** Plays the initiator's handshake (for testing an acceptor). */
  public Hello initiateHandshake(int maxFrameSize) throws IOException {
    new Hello(Hello.MAJOR, Hello.MINOR, "scripted-peer", Set.of("resume"), maxFrameSize, 1 << 20,
        null, null, -1, null, null).writeTo(out);
    peerHello = Hello.readFrom(transport.input());
    startReading(maxFrameSize);
    return peerHello;
  }

  private void startReading(int maxFrameSize) {
    FrameReader reader = new FrameReader(transport.input(), 16 * 1024 * 1024);
    Thread thread = new Thread(() -> {
      try {
        while (reader.nextFrame((frame, ack) -> inbound.add(new Received(frame, ack)))) {
          // keep reading
        }
      } catch (IOException e) {
        // the session closed the transport
      } finally {
        inbound.add(END);
      }
    }, "scripted-peer-reader");
    thread.setDaemon(true);
    thread.start();
  }

  // ---- sending -----------------------------------------------------------------------------

  /** Sends a frame; sequenced types get the next sequence number; every frame acks what we received. */
  public void send(FrameType type, int channel, byte[] payload) throws IOException {
    Frame frame = type.sequenced
        ? Frame.received(type, 0, channel, ++sentSeq, payload)
        : new Frame(type, channel, payload);
    sendRaw(frame, receivedSeq);
  }

  /** Sends a frame exactly as given, sequence number and ack included. */
  public void sendRaw(Frame frame, long ack) throws IOException {
    byte[] header = new byte[Frame.HEADER_SIZE];
    FrameWriter.encodeHeader(frame, ack, header);
    out.write(header);
    out.write(frame.payload);
    out.flush();
  }

  /** Writes raw bytes, e.g. a header whose length field is a lie. */
  public void sendBytes(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  public long nextSeq() {
    return sentSeq + 1;
  }

  public void skipSeq() {
    sentSeq++;
  }

  public void openOk(int channel, int window) throws IOException {
    send(FrameType.OPEN_OK, channel, Payloads.openOk(window, ""));
  }

  public void data(int channel, byte[] bytes) throws IOException {
    send(FrameType.DATA, channel, bytes);
  }

  public void credit(int channel, int increment) throws IOException {
    send(FrameType.CREDIT, channel, Payloads.credit(increment));
  }

  public void reset(int channel, ErrorCode code, String reason) throws IOException {
    send(FrameType.RESET, channel, Payloads.error(code, reason));
  }

  public void ack() throws IOException {
    send(FrameType.ACK, 0, Frame.EMPTY);
  }

  public static byte[] messageBytes(byte[] body) {
    byte[] out = new byte[4 + body.length];
    Bytes.putInt(out, 0, body.length);
    System.arraycopy(body, 0, out, 4, body.length);
    return out;
  }

  // ---- expecting ---------------------------------------------------------------------------

  /** The next frame the session sent, skipping ACK/PING/PONG noise; fails after 5 s. */
  public Received expect() throws InterruptedException {
    while (true) {
      Received next = next(5, TimeUnit.SECONDS);
      if (next == null) {
        throw new AssertionError("the session sent nothing within 5 s (or closed the transport)");
      }
      if (next.type() == FrameType.ACK) {
        continue;
      }
      if (next.type() == FrameType.PING) {
        continue;
      }
      return next;
    }
  }

  /** Expects the next significant frame to be of {@code type}. */
  public Received expect(FrameType type) throws InterruptedException {
    Received next = expect();
    if (next.type() != type) {
      throw new AssertionError("expected " + type + " but the session sent " + next.frame());
    }
    return next;
  }

  /** The next frame of any type including ACK and PING, or null on timeout / end of stream. */
  public Received next(long timeout, TimeUnit unit) throws InterruptedException {
    Object item = inbound.poll(timeout, unit);
    if (item == null || item == END) {
      if (item == END) {
        inbound.add(END);
      }
      return null;
    }
    Received received = (Received) item;
    if (received.frame().type.sequenced) {
      receivedSeq = received.frame().seq();
    }
    return received;
  }

  /** Waits until the session closes the transport. */
  public boolean awaitEnd(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    while (System.nanoTime() < deadline) {
      Object item = inbound.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (item == END) {
        inbound.add(END);
        return true;
      }
    }
    return false;
  }

  /** Asserts nothing but ACK/PING arrives within a short window (an absence check, not a sleep). */
  public void expectQuiet(long millis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return;
      }
      Received next = next(left, TimeUnit.NANOSECONDS);
      if (next != null && next.type() != FrameType.ACK && next.type() != FrameType.PING) {
        throw new AssertionError("expected quiet but the session sent " + next.frame());
      }
    }
  }

  public long receivedSeq() {
    return receivedSeq;
  }

  @Override
  public void close() {
    transport.close();
  }
}
