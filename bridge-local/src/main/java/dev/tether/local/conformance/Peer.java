package dev.tether.local.conformance;

import dev.tether.local.conformance.RawFrames.Frame;
import dev.tether.local.conformance.RawFrames.Hello;
import dev.tether.mux.transport.Transport;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The checker's side of one session, spoken with {@link RawFrames}: it numbers what it sends, counts
 * what it receives in order (§8), answers PINGs and keeps its sent frames for a resume. Frames arrive on
 * a reader thread of its own and are handed over through a queue; check code (one thread) takes them
 * with {@link #next}. Nothing else is automatic: the checks decide every frame the peer sees.
 */
public final class Peer implements AutoCloseable {
  /** How long a check waits for an answer before it calls the peer silent. */
  static final long ANSWER_SECONDS = 30;
  private static final Frame END = new Frame(0, 0, 0, 0, new byte[0]);

  private final LinkedBlockingQueue<Object> inbound = new LinkedBlockingQueue<>();
  private final List<Frame> sent = new ArrayList<>();
  private Transport transport;
  private Hello reply;
  private volatile long received;
  private long lastSeq;
  private volatile int generation;

  private Peer(Transport transport) {
    this.transport = transport;
  }

  /** Sends a version-1 hello and reads the reply; an error hello is returned, not thrown. */
  public static Peer handshake(Transport transport) throws IOException {
    Peer peer = new Peer(transport);
    transport.output().write(RawFrames.hello(1, "tether-conformance/1", null, null, 0));
    transport.output().flush();
    peer.reply = RawFrames.readHello(transport.input());
    if (!peer.reply.isError()) {
      peer.startReader();
    }
    return peer;
  }

  public Hello reply() {
    return reply;
  }

  /** The largest DATA payload the peer accepts (§2.3: 16384 when not advertised). */
  public int peerMaxFrame() {
    long advertised = reply.u32(3);
    return (int) Math.min(advertised == 0 ? 16384 : advertised, 32768);
  }

  public synchronized void send(int type, int channel, byte[] payload) throws IOException {
    boolean sequenced = type >= RawFrames.OPEN && type <= RawFrames.RESET;
    Frame frame = new Frame(type, channel, sequenced ? ++lastSeq : 0, received, payload);
    if (sequenced) {
      sent.add(frame);
    }
    RawFrames.write(transport.output(), frame);
  }

  /** Writes a frame exactly as given: seq and ack included, nothing recorded. */
  public synchronized void sendRaw(Frame frame) throws IOException {
    RawFrames.write(transport.output(), frame);
  }

  /**
   * The next frame other than PING (answered already) and ACK, or null when the peer ended the transport.
   *
   * @throws IOException when nothing came within {@link #ANSWER_SECONDS}
   */
  public Frame next() throws IOException {
    while (true) {
      Object item;
      try {
        item = inbound.poll(ANSWER_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted");
      }
      if (item == null) {
        throw new IOException("no answer from the agent within " + ANSWER_SECONDS + " s");
      }
      if (item instanceof IOException e) {
        throw e;
      }
      Frame frame = (Frame) item;
      if (frame == END) {
        return null;
      }
      if (frame.type() != RawFrames.ACK && frame.type() != RawFrames.PING) {
        return frame;
      }
    }
  }

  /** The next frame on {@code channel} (other channels' frames are skipped), or null at the end. */
  public Frame next(int channel) throws IOException {
    Frame frame;
    do {
      frame = next();
    } while (frame != null && frame.channel() != channel && frame.type() != RawFrames.GOAWAY);
    return frame;
  }

  /** Ends the transport without GOAWAY: a transport loss (§8.5), which a resumable session survives. */
  public synchronized void cut() {
    generation++;
    transport.close();
  }

  /**
   * Resumes this session on {@code next} (§2.4): resume hello, the agent's reply, then retransmits
   * every sent frame the agent has not received (§8.4).
   *
   * @return the reply; an error hello is returned, not thrown
   */
  public synchronized Hello resume(Transport next) throws IOException {
    transport = next;
    next.output().write(RawFrames.hello(1, "tether-conformance/1", reply.fields().get(5), reply.fields().get(6),
        received));
    next.output().flush();
    Hello resumed = RawFrames.readHello(next.input());
    if (resumed.isError()) {
      return resumed;
    }
    long theirs = resumed.u64(7);
    for (Frame frame : sent) {
      if (frame.seq() > theirs) {
        RawFrames.write(next.output(), new Frame(frame.type(), frame.channel(), frame.seq(), received, frame.payload()));
      }
    }
    startReader();
    return resumed;
  }

  private void startReader() {
    Transport current = transport;
    int mine = generation;
    Thread reader = new Thread(() -> read(current, mine), "conformance reader");
    reader.setDaemon(true);
    reader.start();
  }

  private void read(Transport from, int mine) {
    try {
      Frame frame;
      while ((frame = RawFrames.read(from.input())) != null) {
        if (generation != mine) {
          return;
        }
        if (frame.sequenced()) {
          if (frame.seq() <= received) {
            continue;
          }
          received = frame.seq();
        }
        if (frame.type() == RawFrames.PING) {
          send(RawFrames.PONG, 0, frame.payload());
        }
        inbound.add(frame);
      }
      if (generation == mine) {
        inbound.add(END);
      }
    } catch (IOException e) {
      if (generation == mine) {
        inbound.add(e);
      }
    }
  }

  /** Ends the session politely (GOAWAY NO_ERROR) so the agent ends what the check started, then the transport. */
  @Override
  public void close() {
    try {
      if (reply != null && !reply.isError()) {
        send(RawFrames.GOAWAY, 0, RawFrames.error(0, "conformance check done"));
      }
    } catch (IOException ignored) {
      // the transport is already gone
    } finally {
      cut();
    }
  }
}
