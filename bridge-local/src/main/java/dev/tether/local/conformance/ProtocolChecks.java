package dev.tether.local.conformance;

import static dev.tether.local.conformance.Check.require;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tether.local.conformance.Check.Failure;
import dev.tether.local.conformance.RawFrames.Frame;
import dev.tether.local.conformance.RawFrames.Hello;
import dev.tether.mux.transport.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The {@code protocol} group: the session protocol of docs/PROTOCOL.md, spoken frame by frame with
 * {@link RawFrames} so that misbehaviour can be sent on purpose. Channels used: {@code sys} (a request
 * and its answer), {@code exec} and {@code exec.io} (a process whose output or input exercises the
 * windows), all served by every agent.
 */
public final class ProtocolChecks {
  private static final int CHANNEL_REFUSED = 5;
  private static final int UNKNOWN_CHANNEL = 4;
  private static final int FLOW_CONTROL_ERROR = 3;
  private static final int PROTOCOL_ERROR = 1;
  private static final int VERSION_MISMATCH = 11;
  private static final int BYTES = 0;
  private static final int MESSAGES = 1;
  private static final int BIG_WINDOW = 1 << 20;

  private ProtocolChecks() {}

  public static List<Check> all() {
    return List.of(
        new Check("protocol.handshake", "a version-1 hello is answered with a hello carrying session id and token",
            "PROTOCOL.md §2.1, §2.3", ProtocolChecks::handshake),
        new Check("protocol.version-skew", "a hello with major 2 gets an error hello VERSION_MISMATCH, then the close",
            "PROTOCOL.md §2.2, §2.5", ProtocolChecks::versionSkew),
        new Check("protocol.ping", "PING is answered by PONG with the same 8 bytes", "PROTOCOL.md §4.8, §4.9",
            ProtocolChecks::ping),
        new Check("protocol.channel", "OPEN, OPEN_OK, DATA both ways and HALF_CLOSE on a sys channel",
            "PROTOCOL.md §4.1, §4.2, §4.4, §4.6, §5", ProtocolChecks::channel),
        new Check("protocol.open-unknown-kind", "OPEN of a kind the agent does not serve gets OPEN_FAIL CHANNEL_REFUSED",
            "PROTOCOL.md §4.3, §10.4", ProtocolChecks::openUnknownKind),
        new Check("protocol.unknown-channel", "DATA for a channel never opened gets RESET UNKNOWN_CHANNEL",
            "PROTOCOL.md §10.4", ProtocolChecks::unknownChannel),
        new Check("protocol.unknown-frame-type", "a frame of unknown type 0x7f closes the session with GOAWAY PROTOCOL_ERROR",
            "PROTOCOL.md §3, §10.3", ProtocolChecks::unknownFrameType),
        new Check("protocol.flow-control", "with a 4096-byte window the agent stops at the window and goes on after CREDIT",
            "PROTOCOL.md §4.5, §6", ProtocolChecks::flowControl),
        new Check("protocol.window-overrun", "DATA beyond the agent's window gets RESET FLOW_CONTROL_ERROR",
            "PROTOCOL.md §4.4, §6, §10.4", ProtocolChecks::windowOverrun),
        new Check("protocol.resume", "after a cut, a resume hello brings back what was in flight, nothing lost or repeated",
            "PROTOCOL.md §2.4, §8.4", ProtocolChecks::resume));
  }

  static void handshake(Target target) throws Exception {
    try (Peer peer = Peer.handshake(target.connect())) {
      Hello hello = peer.reply();
      require(!hello.isError(), "the agent refused the hello: " + (hello.isError() ? hello.errorReason() : ""));
      require(hello.major() == 1, "the agent answered with major " + hello.major() + ", expected 1");
      require(length(hello, 5) == 16, "session id (tag 5) has " + length(hello, 5) + " bytes, expected 16");
      require(length(hello, 6) == 32, "resume token (tag 6) has " + length(hello, 6) + " bytes, expected 32");
      require(length(hello, 3) == 4, "max frame size (tag 3) has " + length(hello, 3) + " bytes, expected 4");
      require(!hello.fields().containsKey(7), "a new session's reply carries 'received' (tag 7)");
      String capabilities = new String(hello.fields().getOrDefault(2, new byte[0]), StandardCharsets.UTF_8);
      require(capabilities.contains("resume"), "capabilities '" + capabilities + "' lack 'resume'");
    }
  }

  private static int length(Hello hello, int tag) {
    byte[] value = hello.fields().get(tag);
    return value == null ? -1 : value.length;
  }

  static void versionSkew(Target target) throws Exception {
    Transport transport = target.connect();
    try {
      transport.output().write(RawFrames.hello(2, "tether-conformance/2", null, null, 0));
      transport.output().flush();
      Hello reply = RawFrames.readHello(transport.input());
      require(reply.isError(), "the agent accepted a hello of major 2");
      require(reply.errorCode() == VERSION_MISMATCH,
          "error hello code " + reply.errorCode() + " (" + reply.errorReason() + "), expected VERSION_MISMATCH (11)");
      require(reply.errorReason().contains("speaks Tether protocol 2.0") && reply.errorReason().contains("1.0"),
          "reason '" + reply.errorReason() + "' does not name both versions");
      require(endsWithin(transport), "the agent kept the transport open after its error hello");
    } finally {
      transport.close();
    }
  }

  /** Whether the transport reaches end of stream within the answer time. */
  private static boolean endsWithin(Transport transport) throws Exception {
    try {
      return CheckSupport.within("end of the transport", () -> {
        try {
          return transport.input().read() < 0;
        } catch (IOException e) {
          return true;
        }
      });
    } catch (Failure silent) {
      return false;
    }
  }

  static void ping(Target target) throws Exception {
    try (Peer peer = connected(target)) {
      byte[] payload = {1, 2, 3, 4, 5, 6, 7, 8};
      peer.send(RawFrames.PING, 0, payload);
      Frame pong = peer.next();
      require(pong != null && pong.type() == RawFrames.PONG, "expected PONG, got " + describe(pong));
      require(pong.channel() == 0 && pong.seq() == 0, "PONG on channel " + pong.channel() + " seq " + pong.seq());
      require(java.util.Arrays.equals(pong.payload(), payload), "PONG payload differs from the PING's");
    }
  }

  static void channel(Target target) throws Exception {
    try (Peer peer = connected(target)) {
      peer.send(RawFrames.OPEN, 1, RawFrames.open(BIG_WINDOW, MESSAGES, "sys", ""));
      expectOpenOk(peer, 1, "sys");
      peer.send(RawFrames.DATA, 1, RawFrames.record("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"sys/info\"}"));
      JsonObject answer = new Records(peer, 1).next();
      require(answer.has("result") && answer.getAsJsonObject("result").has("agentVersion"),
          "sys/info answered " + answer);
      peer.send(RawFrames.HALF_CLOSE, 1, new byte[0]);
      Frame end = peer.next(1);
      require(end != null && (end.type() == RawFrames.HALF_CLOSE || end.type() == RawFrames.CREDIT
          && peer.next(1).type() == RawFrames.HALF_CLOSE), "after our HALF_CLOSE expected the agent's, got "
          + describe(end));
    }
  }

  static void openUnknownKind(Target target) throws Exception {
    try (Peer peer = connected(target)) {
      peer.send(RawFrames.OPEN, 1, RawFrames.open(BIG_WINDOW, BYTES, "conformance.no-such-kind", "{}"));
      Frame answer = peer.next(1);
      require(answer != null && answer.type() == RawFrames.OPEN_FAIL, "expected OPEN_FAIL, got " + describe(answer));
      require(answer.errorCode() == CHANNEL_REFUSED,
          "OPEN_FAIL code " + answer.errorCode() + " (" + answer.errorReason() + "), expected CHANNEL_REFUSED (5)");
      require(!answer.errorReason().isBlank(), "OPEN_FAIL without a reason");
    }
  }

  static void unknownChannel(Target target) throws Exception {
    try (Peer peer = connected(target)) {
      peer.send(RawFrames.DATA, 99, "hi".getBytes(StandardCharsets.UTF_8));
      Frame answer = peer.next(99);
      require(answer != null && answer.type() == RawFrames.RESET, "expected RESET, got " + describe(answer));
      require(answer.errorCode() == UNKNOWN_CHANNEL,
          "RESET code " + answer.errorCode() + " (" + answer.errorReason() + "), expected UNKNOWN_CHANNEL (4)");
      require(answer.errorReason().equals("DATA for channel 99, which was never opened"),
          "RESET reason '" + answer.errorReason() + "', expected 'DATA for channel 99, which was never opened'");
      ping(peer); // the session goes on
    }
  }

  /** The session still answers: a channel error must not end it. */
  private static void ping(Peer peer) throws Exception {
    peer.send(RawFrames.PING, 0, new byte[8]);
    Frame pong = peer.next(0);
    require(pong != null && pong.type() == RawFrames.PONG, "the session did not go on: " + describe(pong));
  }

  static void unknownFrameType(Target target) throws Exception {
    try (Peer peer = connected(target)) {
      peer.sendRaw(new Frame(0x7f, 0, 0, 0, new byte[0]));
      Frame answer = peer.next(0);
      require(answer != null && answer.type() == RawFrames.GOAWAY, "expected GOAWAY, got " + describe(answer));
      require(answer.errorCode() == PROTOCOL_ERROR && answer.errorReason().equals("unknown frame type 0x7f"),
          "GOAWAY " + answer.errorCode() + " '" + answer.errorReason() + "', expected 1 'unknown frame type 0x7f'");
      require(peer.next() == null, "the agent sent more after its GOAWAY");
    }
  }

  static void flowControl(Target target) throws Exception {
    int total = 200_000;
    int window = 4096;
    try (Peer peer = connected(target)) {
      String id = startProcess(peer, "[\"head\",\"-c\",\"" + total + "\",\"/dev/zero\"]");
      peer.send(RawFrames.OPEN, 3, RawFrames.open(window, BYTES, "exec.io",
          "{\"id\":\"" + id + "\",\"stream\":\"stdout\"}"));
      expectOpenOk(peer, 3, "exec.io stdout");
      long granted = window;
      long got = 0;
      int credits = 0;
      while (true) {
        Frame frame = peer.next(3);
        if (frame != null && frame.type() == RawFrames.HALF_CLOSE) {
          break;
        }
        require(frame != null && frame.type() == RawFrames.DATA, "expected DATA or HALF_CLOSE, got " + describe(frame));
        got += frame.payload().length;
        require(got <= granted, "the agent sent " + got + " bytes with only " + granted + " granted");
        if (got == granted) {
          peer.send(RawFrames.CREDIT, 3, RawFrames.u32(window));
          granted += window;
          credits++;
        }
      }
      require(got == total, "stdout carried " + got + " bytes, expected " + total);
      require(credits >= total / window, "only " + credits + " CREDITs were needed for " + total + " bytes");
    }
  }

  static void windowOverrun(Target target) throws Exception {
    try (Peer peer = connected(target)) {
      String id = startProcess(peer, "[\"sleep\",\"300\"]");
      peer.send(RawFrames.OPEN, 3, RawFrames.open(BIG_WINDOW, BYTES, "exec.io", "{\"id\":\"" + id + "\",\"stream\":\"stdin\"}"));
      Frame ok = expectOpenOk(peer, 3, "exec.io stdin");
      long window = ByteBuffer.wrap(ok.payload()).getInt() & 0xffffffffL;
      // sleep never reads stdin: once the pipe is full the agent stops crediting, so this is past its window
      long limit = window + (4L << 20);
      byte[] chunk = new byte[peer.peerMaxFrame()];
      CompletableFuture<Frame> reset = CompletableFuture.supplyAsync(() -> {
        try {
          Frame frame;
          do {
            frame = peer.next(3);
          } while (frame != null && frame.type() == RawFrames.CREDIT);
          return frame;
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      for (long sent = 0; sent < limit && !reset.isDone(); sent += chunk.length) {
        peer.send(RawFrames.DATA, 3, chunk);
      }
      Frame answer = CheckSupport.within("answer to DATA past the window", reset::join);
      require(answer != null && answer.type() == RawFrames.RESET, "expected RESET, got " + describe(answer));
      require(answer.errorCode() == FLOW_CONTROL_ERROR && answer.errorReason().startsWith("peer sent "),
          "RESET " + answer.errorCode() + " '" + answer.errorReason() + "', expected FLOW_CONTROL_ERROR (3) 'peer sent …'");
      ping(peer);
    }
  }

  static void resume(Target target) throws Exception {
    if (!target.resumable()) {
      throw new Check.NotApplicable(target.description() + " ends its agent with the transport; resumption needs "
          + "the agent daemon of an SSH host");
    }
    try (Peer peer = connected(target)) {
      peer.send(RawFrames.OPEN, 1, RawFrames.open(BIG_WINDOW, MESSAGES, "sys", ""));
      expectOpenOk(peer, 1, "sys");
      peer.send(RawFrames.DATA, 1, RawFrames.record("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"sys/info\"}"));
      peer.cut(); // the answer is in flight, or the request is: either way it must survive
      Hello resumed = peer.resume(target.connect());
      require(!resumed.isError(), "resume refused: " + (resumed.isError() ? resumed.errorCode() + " "
          + resumed.errorReason() : ""));
      require(resumed.u64(7) >= 0, "the resume reply lacks 'received' (tag 7)");
      Records records = new Records(peer, 1);
      JsonObject answer = records.next();
      require(answer.has("id") && answer.get("id").getAsInt() == 7 && answer.has("result"),
          "after the resume, sys/info answered " + answer);
      peer.send(RawFrames.DATA, 1, RawFrames.record("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"sys/info\"}"));
      JsonObject second = records.next();
      require(second.get("id").getAsInt() == 8, "the answer to request 7 came twice, or out of order: " + second);
    }
  }

  private static Peer connected(Target target) throws Exception {
    return CheckSupport.rawSession(target);
  }

  private static Frame expectOpenOk(Peer peer, int channel, String what) throws Exception {
    Frame answer = peer.next(channel);
    require(answer != null && answer.type() == RawFrames.OPEN_OK, "opening " + what + ": expected OPEN_OK, got "
        + describe(answer));
    return answer;
  }

  /** Starts {@code argv} with {@code exec/start} on channel 1; returns the process id for exec.io. */
  private static String startProcess(Peer peer, String argv) throws Exception {
    peer.send(RawFrames.OPEN, 1, RawFrames.open(BIG_WINDOW, MESSAGES, "exec", ""));
    expectOpenOk(peer, 1, "exec");
    peer.send(RawFrames.DATA, 1, RawFrames.record(
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"exec/start\",\"params\":{\"argv\":" + argv + "}}"));
    JsonObject answer = new Records(peer, 1).next();
    require(answer.has("result"), "exec/start answered " + answer);
    return answer.getAsJsonObject("result").get("id").getAsString();
  }

  private static String describe(Frame frame) {
    return CheckSupport.describe(frame);
  }

  /** Message records (§5) reassembled from the DATA of one channel, whatever the frame boundaries. */
  private static final class Records {
    private final Peer peer;
    private final int channel;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

    Records(Peer peer, int channel) {
      this.peer = peer;
      this.channel = channel;
    }

    JsonObject next() throws Exception {
      while (true) {
        byte[] bytes = buffer.toByteArray();
        if (bytes.length >= 4) {
          int length = ByteBuffer.wrap(bytes).getInt();
          if (bytes.length >= 4 + length) {
            buffer.reset();
            buffer.write(bytes, 4 + length, bytes.length - 4 - length);
            return JsonParser.parseString(new String(bytes, 4, length, StandardCharsets.UTF_8)).getAsJsonObject();
          }
        }
        Frame frame = peer.next(channel);
        if (frame != null && frame.type() == RawFrames.CREDIT) {
          continue;
        }
        require(frame != null && frame.type() == RawFrames.DATA, "expected a message, got " + describe(frame));
        buffer.writeBytes(frame.payload());
      }
    }
  }
}
