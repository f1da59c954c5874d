package dev.tether.local.conformance.peer;

import static dev.tether.local.conformance.RawFrames.ACK;
import static dev.tether.local.conformance.RawFrames.CREDIT;
import static dev.tether.local.conformance.RawFrames.DATA;
import static dev.tether.local.conformance.RawFrames.GOAWAY;
import static dev.tether.local.conformance.RawFrames.HALF_CLOSE;
import static dev.tether.local.conformance.RawFrames.OPEN;
import static dev.tether.local.conformance.RawFrames.OPEN_OK;
import static dev.tether.local.conformance.RawFrames.PING;
import static dev.tether.local.conformance.RawFrames.PONG;
import static dev.tether.local.conformance.RawFrames.RESET;

import dev.tether.local.conformance.RawFrames;
import dev.tether.local.conformance.RawFrames.Frame;
import dev.tether.local.conformance.RawFrames.Hello;
import dev.tether.mux.transport.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The acceptor's side of one session, spoken frame by frame with {@link RawFrames}, misbehaving as its
 * {@link Scenario} says and judging what the client does about it. The first channel the client opens is
 * the scenario's subject (peer-open and ping have none); any other channel is echoed, so a client can show
 * that its session went on.
 *
 * <p>Threading: one thread (the connection's) reads, decides and writes; a timer only closes the
 * transport of a client that stayed silent for {@link #SILENCE_SECONDS}.
 */
final class ScriptedAcceptor {
  /** The window the {@code window} scenario grants at a time. */
  static final int SMALL_WINDOW = 4096;
  static final int UNKNOWN_TYPE = 0x7f;
  static final long SILENCE_SECONDS = 30;
  private static final int ECHO_WINDOW = 1 << 20;
  /** The acceptor's first id (§1: the acceptor opens even ids). */
  private static final int PEER_CHANNEL = 2;
  private static final byte[] PING_PAYLOAD = {'t', 'e', 't', 'h', 'e', 'r', '!', 1};
  /** What this side accepts and advertises; {@link RawFrames#read} reads up to 1 MiB. */
  private static final int MAX_FRAME = 1 << 20;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "conformance-peer timer");
    thread.setDaemon(true);
    return thread;
  });
  private static final Pattern OVERRUN_REASON =
      Pattern.compile("peer sent \\d+ bytes on channel \\d+ with only \\d+ bytes of window left");

  private final Scenario scenario;
  private final int connection;
  private final Transport transport;
  private final Hello theirs;
  private final Consumer<Verdict> report;
  private final Map<Integer, Echo> echoes = new HashMap<>();
  private volatile long lastHeard = System.nanoTime();
  private volatile boolean silent;
  private long sendSeq;
  private long received;
  private long lastAckSent;
  private Verdict verdict;

  private int subject = -1;
  private long subjectWindow;
  private long subjectBytes;
  private long granted;
  private final List<long[]> credits = new ArrayList<>();
  private int stalls;
  private boolean windowBroken;
  private long overrun;
  private long resetSeq;

  ScriptedAcceptor(Scenario scenario, int connection, Transport transport, Hello theirs, Consumer<Verdict> report) {
    this.scenario = scenario;
    this.connection = connection;
    this.transport = transport;
    this.theirs = theirs;
    this.report = report;
  }

  /** Plays the scenario until the client ends the connection (or stays silent); reports one verdict. */
  void run() {
    ScheduledFuture<?> watchdog = TIMER.scheduleWithFixedDelay(this::checkSilence, 1, 1, TimeUnit.SECONDS);
    String end;
    try {
      if (scenario == Scenario.VERSION) {
        playVersionSkew();
        return;
      }
      transport.output().write(reply(1));
      transport.output().flush();
      greet();
      end = serve();
    } catch (IOException e) {
      end = silent ? "no frame from the client for " + SILENCE_SECONDS + " s" : e.getMessage();
    } finally {
      watchdog.cancel(false);
      transport.close();
    }
    if (verdict == null) {
      decide(atEnd(end));
    }
  }

  private void checkSilence() {
    if (System.nanoTime() - lastHeard > TimeUnit.SECONDS.toNanos(SILENCE_SECONDS)) {
      silent = true;
      transport.close();
    }
  }

  /** §2.2: an initiator that reads a reply of another major fails with VERSION_MISMATCH and sends nothing. */
  private void playVersionSkew() throws IOException {
    transport.output().write(reply(2));
    transport.output().flush();
    int bytes;
    try {
      bytes = transport.input().read(new byte[8192]);
    } catch (IOException e) {
      bytes = -1;
    }
    if (silent) {
      decide(fail("client kept the connection open for " + SILENCE_SECONDS + " s after a hello of major version 2;"
          + " §2.2: it fails with VERSION_MISMATCH and closes"));
    } else if (bytes > 0) {
      decide(fail("client sent " + bytes + " bytes after a hello of major version 2; §2.2: it fails with"
          + " VERSION_MISMATCH and sends nothing back"));
    } else {
      decide(pass("client refused a hello of major version 2 and closed without sending anything (§2.2)"));
    }
  }

  /** The scenarios that act first, right after the hello (§1: the acceptor may send frames at once). */
  private void greet() throws IOException {
    if (scenario == Scenario.PEER_OPEN) {
      send(OPEN, PEER_CHANNEL, RawFrames.open(ECHO_WINDOW, 0, "conformance", "{}"));
    } else if (scenario == Scenario.PING) {
      send(PING, 0, PING_PAYLOAD);
    }
  }

  /** Reads frames until the client's GOAWAY or the end of the transport; returns how it ended. */
  private String serve() throws IOException {
    Frame frame;
    while ((frame = RawFrames.read(transport.input())) != null) {
      lastHeard = System.nanoTime();
      if (frame.sequenced()) {
        if (frame.seq() <= received) {
          continue;
        }
        received = frame.seq();
      }
      if (frame.type() == GOAWAY) {
        onGoaway(frame);
        return "the client sent GOAWAY " + frame.errorCode() + " '" + frame.errorReason() + "'";
      }
      dispatch(frame);
      if (received > lastAckSent) {
        send(ACK, 0, new byte[0]);
      }
    }
    return "the client ended the connection";
  }

  private void dispatch(Frame frame) throws IOException {
    switch (frame.type()) {
      case OPEN -> onOpen(frame);
      case DATA -> onData(frame);
      case CREDIT -> onCredit(frame);
      case HALF_CLOSE -> onHalfClose(frame);
      case RESET -> onReset(frame);
      case PING -> send(PONG, 0, frame.payload());
      case PONG -> onPong(frame);
      case RawFrames.OPEN_OK, RawFrames.OPEN_FAIL -> onOpenAnswer(frame);
      default -> { } // ACK: judged by nothing here
    }
  }

  private void onOpen(Frame frame) throws IOException {
    long window = frame.payload().length >= 4 ? ByteBuffer.wrap(frame.payload()).getInt() & 0xffffffffL : 0;
    if (subject >= 0 || scenario == Scenario.PEER_OPEN || scenario == Scenario.PING) {
      if (scenario == Scenario.RESET && verdict == null) {
        decide(pass("client took the RESET of channel " + subject + " without answering it, sent nothing more on"
            + " it, and its session went on (a new channel opened) (§4.7)"));
      }
      echoes.put(frame.channel(), new Echo(frame.channel(), window));
      send(OPEN_OK, frame.channel(), openOk(ECHO_WINDOW));
      return;
    }
    subject = frame.channel();
    subjectWindow = window;
    switch (scenario) {
      case OVERRUN -> overrun();
      case WINDOW -> {
        granted = SMALL_WINDOW;
        send(OPEN_OK, subject, openOk(SMALL_WINDOW));
      }
      case RESET -> {
        send(OPEN_OK, subject, openOk(ECHO_WINDOW));
        byte[] before = "conformance peer: these bytes come before the reset\n".getBytes(StandardCharsets.UTF_8);
        send(DATA, subject, Arrays.copyOf(before, (int) Math.min(before.length, subjectWindow)));
        send(RESET, subject, RawFrames.error(13, "conformance peer: scripted RESET of channel " + subject));
        resetSeq = sendSeq;
      }
      case UNKNOWN_FRAME -> {
        send(OPEN_OK, subject, openOk(ECHO_WINDOW));
        RawFrames.write(transport.output(), new Frame(UNKNOWN_TYPE, 0, 0, received, new byte[] {1, 2, 3, 4}));
        send(PING, 0, ByteBuffer.allocate(8).putLong(System.nanoTime() | 1).array());
      }
      default -> throw new IllegalStateException(scenario + " is not scripted");
    }
  }

  /** Sends one byte more than the window the OPEN offered, in one DATA when it fits the client's frames. */
  private void overrun() throws IOException {
    send(OPEN_OK, subject, openOk(ECHO_WINDOW));
    overrun = subjectWindow + 1;
    for (long left = overrun; left > 0; ) {
      int n = (int) Math.min(left, clientMaxFrame());
      send(DATA, subject, new byte[n]);
      left -= n;
    }
  }

  private void onData(Frame frame) throws IOException {
    if (frame.channel() != subject) {
      Echo echo = echoes.get(frame.channel());
      if (echo != null) {
        echo.data(frame.payload());
      }
      return;
    }
    if (scenario == Scenario.RESET) {
      afterReset(frame);
    } else if (scenario == Scenario.WINDOW) {
      windowData(frame);
    }
  }

  /**
   * Judges by the frame's ack which CREDITs the client had seen when it wrote the frame, so the verdict
   * does not depend on timing: bytes beyond the window it knew of are an overrun however fast the CREDIT came.
   */
  private void windowData(Frame frame) throws IOException {
    subjectBytes += frame.payload().length;
    long allowed = SMALL_WINDOW;
    for (long[] credit : credits) {
      if (credit[0] <= frame.ack()) {
        allowed += credit[1];
      }
    }
    if (subjectBytes > allowed && !windowBroken) {
      windowBroken = true;
      decide(fail("client did not stop sending after the window was used up: " + subjectBytes + " bytes on channel "
          + subject + " when it had been given " + allowed + " (it had seen this side's frames up to seq "
          + frame.ack() + ") (§6)"));
    }
    if (subjectBytes >= granted) {
      long more = subjectBytes - granted + SMALL_WINDOW;
      send(CREDIT, subject, RawFrames.u32(more));
      credits.add(new long[] {sendSeq, more});
      granted += more;
      stalls++;
    }
  }

  private void afterReset(Frame frame) {
    if (frame.ack() >= resetSeq && verdict == null) {
      decide(fail("client sent " + RawFrames.name(frame.type()) + " on channel " + subject + " after it had received"
          + " the channel's RESET (its ack " + frame.ack() + " covers the RESET's seq " + resetSeq + "); §4.7: a"
          + " reset channel is gone in both directions, and a RESET is never answered"));
    }
  }

  private void onCredit(Frame frame) throws IOException {
    if (frame.channel() == subject) {
      if (scenario == Scenario.RESET) {
        afterReset(frame);
      }
      return;
    }
    Echo echo = echoes.get(frame.channel());
    if (echo != null && frame.payload().length == 4) {
      echo.window += ByteBuffer.wrap(frame.payload()).getInt() & 0xffffffffL;
      echo.flush();
    }
  }

  private void onHalfClose(Frame frame) throws IOException {
    if (frame.channel() != subject) {
      Echo echo = echoes.get(frame.channel());
      if (echo != null) {
        echo.inFinished = true;
        echo.flush();
      }
      return;
    }
    if (scenario == Scenario.RESET) {
      afterReset(frame);
    } else if (scenario == Scenario.WINDOW) {
      send(DATA, subject, ("received " + subjectBytes + " bytes\n").getBytes(StandardCharsets.UTF_8));
      send(HALF_CLOSE, subject, new byte[0]);
      if (!windowBroken) {
        decide(stalls == 0
            ? fail("client sent only " + subjectBytes + " bytes on channel " + subject + ", never reaching the "
                + SMALL_WINDOW + "-byte window: nothing was checked; send more than " + SMALL_WINDOW + " bytes (§6)")
            : pass("client stopped at the end of the window " + stalls + " times and went on after each CREDIT: "
                + subjectBytes + " bytes through " + SMALL_WINDOW + "-byte windows (§6)"));
      }
    }
  }

  private void onReset(Frame frame) {
    if (frame.channel() != subject) {
      echoes.remove(frame.channel());
      return;
    }
    switch (scenario) {
      case OVERRUN -> decide(frame.errorCode() == 3 && OVERRUN_REASON.matcher(frame.errorReason()).matches()
          ? pass("client answered the overrun (" + overrun + " bytes into a " + subjectWindow + "-byte window) with"
              + " RESET FLOW_CONTROL_ERROR '" + frame.errorReason() + "' (§4.4)")
          : fail("client answered the overrun with RESET " + frame.errorCode() + " '" + frame.errorReason()
              + "'; §4.4 names RESET FLOW_CONTROL_ERROR (3) 'peer sent N bytes on channel C with only W bytes of"
              + " window left'"));
      case RESET -> afterReset(frame);
      default -> {
        if (verdict == null) {
          decide(fail("client reset channel " + subject + " (" + frame.errorCode() + " '" + frame.errorReason()
              + "') though the peer did nothing wrong on it"));
        }
      }
    }
  }

  private void onOpenAnswer(Frame frame) throws IOException {
    if (scenario != Scenario.PEER_OPEN || frame.channel() != PEER_CHANNEL || verdict != null) {
      return;
    }
    if (frame.type() == RawFrames.OPEN_OK) {
      send(RESET, PEER_CHANNEL, RawFrames.error(8, "conformance peer: the client should have refused this channel"));
      decide(fail("client accepted a channel the peer opened (OPEN_OK); §4.1: a client of the agent accepts no"
          + " channels and answers OPEN_FAIL CHANNEL_REFUSED"));
      return;
    }
    String expected = "this side accepts no channels (kind 'conformance')";
    decide(frame.errorCode() == 5
        ? pass("client refused the peer's OPEN with OPEN_FAIL CHANNEL_REFUSED '" + frame.errorReason() + "' (§4.1)"
            + (frame.errorReason().equals(expected) ? "" : "; the reference says '" + expected + "'"))
        : fail("client refused the peer's OPEN with OPEN_FAIL " + frame.errorCode() + " '" + frame.errorReason()
            + "'; §4.1 names CHANNEL_REFUSED (5)"));
  }

  private void onPong(Frame frame) {
    if (scenario == Scenario.PING && verdict == null) {
      decide(Arrays.equals(frame.payload(), PING_PAYLOAD)
          ? pass("client answered the PING with a PONG carrying the same 8 bytes (§4.8)")
          : fail("client answered the PING with a PONG of other bytes (" + frame.payload().length + " bytes); §4.8: the"
              + " PONG echoes the PING's payload verbatim"));
      return;
    }
    if (scenario == Scenario.UNKNOWN_FRAME && subject >= 0 && verdict == null) {
      decide(fail("client ignored a frame of unknown type 0x" + Integer.toHexString(UNKNOWN_TYPE) + " and answered"
          + " the PING after it; §10.3: an unknown frame type closes the session with GOAWAY PROTOCOL_ERROR"
          + " 'unknown frame type 0x7f'"));
    }
  }

  private void onGoaway(Frame frame) {
    if (verdict != null) {
      return;
    }
    String got = "GOAWAY " + frame.errorCode() + " '" + frame.errorReason() + "'";
    if (scenario == Scenario.UNKNOWN_FRAME && subject >= 0) {
      String expected = "unknown frame type 0x" + Integer.toHexString(UNKNOWN_TYPE);
      decide(frame.errorCode() == 1 && frame.errorReason().equals(expected)
          ? pass("client closed the session with GOAWAY PROTOCOL_ERROR '" + expected + "' (§10.3)")
          : fail("client answered a frame of unknown type with " + got + "; §10.3 names GOAWAY PROTOCOL_ERROR (1) '"
              + expected + "'"));
    } else if (scenario == Scenario.OVERRUN && subject >= 0) {
      decide(fail("client closed the whole session (" + got + ") for a window overrun; §4.4 and §6: only the"
          + " channel is reset, with FLOW_CONTROL_ERROR"));
    }
  }

  /** The verdict when the connection ended before the client's answer decided one. */
  private Verdict atEnd(String end) {
    if (scenario == Scenario.PEER_OPEN) {
      return fail("the connection ended (" + end + ") before the client answered the peer's OPEN of channel "
          + PEER_CHANNEL + "; §4.1: OPEN_FAIL CHANNEL_REFUSED");
    }
    if (scenario == Scenario.PING) {
      return fail("the connection ended (" + end + ") before the client answered the PING; §4.8: PONG, promptly");
    }
    if (subject < 0) {
      return fail("the connection ended (" + end + ") before the client opened a channel; this scenario needs one"
          + " (any kind" + (scenario == Scenario.OVERRUN ? ", with a window below the client's max frame size" : "")
          + ")");
    }
    return switch (scenario) {
      case OVERRUN -> fail("client never reset channel " + subject + " after the peer sent " + overrun
          + " bytes into its " + subjectWindow + "-byte window (" + end + "); §4.4: RESET FLOW_CONTROL_ERROR");
      case WINDOW -> fail("the connection ended (" + end + ") before the client half-closed channel " + subject
          + " (" + subjectBytes + " bytes received, " + stalls + " windows used up)");
      case RESET -> pass("client took the RESET of channel " + subject + " without answering it and sent nothing"
          + " more on it (§4.7)");
      default -> fail("the connection ended (" + end + ") without GOAWAY PROTOCOL_ERROR 'unknown frame type 0x"
          + Integer.toHexString(UNKNOWN_TYPE) + "' (§10.3)");
    };
  }

  private void decide(Verdict decided) {
    if (verdict == null) {
      verdict = decided;
      report.accept(decided);
    }
  }

  private Verdict pass(String text) {
    return Verdict.pass(scenario.label(), connection, text);
  }

  private Verdict fail(String text) {
    return Verdict.fail(scenario.label(), connection, text);
  }

  private int clientMaxFrame() {
    long advertised = theirs.u32(3);
    return (int) Math.max(4096, Math.min(advertised == 0 ? 16384 : advertised, MAX_FRAME));
  }

  private void send(int type, int channel, byte[] payload) throws IOException {
    boolean sequenced = type >= OPEN && type <= RESET;
    RawFrames.write(transport.output(), new Frame(type, channel, sequenced ? ++sendSeq : 0, received, payload));
    lastAckSent = received;
  }

  private static byte[] openOk(int window) {
    return RawFrames.u32(window);
  }

  /** An acceptor's hello (§2.3 step 4) of the given major, with a fresh session id and resume token. */
  private static byte[] reply(int major) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    tlv(body, 1, ("tether-conformance-peer/" + major + ".0").getBytes(StandardCharsets.UTF_8));
    tlv(body, 2, "resume".getBytes(StandardCharsets.UTF_8));
    tlv(body, 3, RawFrames.u32(MAX_FRAME));
    tlv(body, 4, RawFrames.u32(32 << 20));
    tlv(body, 5, random(16));
    tlv(body, 6, random(32));
    byte[] fields = body.toByteArray();
    return ByteBuffer.allocate(12 + fields.length).put("TETHER".getBytes(StandardCharsets.US_ASCII))
        .put((byte) major).put((byte) 0).putInt(fields.length).put(fields).array();
  }

  private static void tlv(ByteArrayOutputStream out, int tag, byte[] value) {
    out.writeBytes(ByteBuffer.allocate(4).putShort((short) tag).putShort((short) value.length).array());
    out.writeBytes(value);
  }

  private static byte[] random(int n) {
    byte[] bytes = new byte[n];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  /** A channel other than the subject: its bytes come back, within the client's window, then its end. */
  private final class Echo {
    final int id;
    long window;
    final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    boolean inFinished;
    boolean outClosed;

    Echo(int id, long window) {
      this.id = id;
      this.window = window;
    }

    void data(byte[] payload) throws IOException {
      pending.writeBytes(payload);
      if (payload.length > 0) {
        send(CREDIT, id, RawFrames.u32(payload.length));
      }
      flush();
    }

    void flush() throws IOException {
      byte[] all = pending.toByteArray();
      int off = 0;
      while (off < all.length && window > 0) {
        int n = (int) Math.min(Math.min(all.length - off, window), clientMaxFrame());
        send(DATA, id, Arrays.copyOfRange(all, off, off + n));
        off += n;
        window -= n;
      }
      pending.reset();
      pending.write(all, off, all.length - off);
      if (pending.size() == 0 && inFinished && !outClosed) {
        outClosed = true;
        send(HALF_CLOSE, id, new byte[0]);
        echoes.remove(id);
      }
    }
  }
}
