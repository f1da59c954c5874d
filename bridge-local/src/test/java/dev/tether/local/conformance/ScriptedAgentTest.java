package dev.tether.local.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tether.local.conformance.RawFrames.Frame;
import dev.tether.mux.transport.StreamTransport;
import dev.tether.mux.transport.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The checks must be able to fail: each test here points one check at a scripted agent on a loopback
 * socket that breaks exactly the rule the check proves, and expects FAIL with the reason.
 */
class ScriptedAgentTest {
  /** What the scripted agent does after the hellos, with its own sequence numbers from 1. */
  interface Script {
    void play(InputStream in, OutputStream out) throws IOException;
  }

  private static Check check(String id) {
    return Conformance.catalogue().stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow();
  }

  private static Conformance.Result runAgainst(String id, Script script) throws Exception {
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Void> agent = CompletableFuture.runAsync(() -> {
        try (Socket socket = listener.accept()) {
          RawFrames.readHello(socket.getInputStream());
          socket.getOutputStream().write(RawFrames.hello(1, "scripted/1", null, null, 0));
          script.play(socket.getInputStream(), socket.getOutputStream());
          while (RawFrames.read(socket.getInputStream()) != null) {
            // until the checker ends the session
          }
        } catch (IOException e) {
          // the checker closed first
        }
      });
      Target target = new Target() {
        @Override
        public Transport connect() throws IOException {
          return StreamTransport.of(new Socket(listener.getInetAddress(), listener.getLocalPort()));
        }

        @Override
        public boolean resumable() {
          return false;
        }

        @Override
        public String description() {
          return "scripted agent";
        }
      };
      Conformance.Result result = Conformance.run(check(id), target);
      agent.join();
      return result;
    }
  }

  private static void expect(InputStream in, int type, int channel) throws IOException {
    Frame frame = RawFrames.read(in);
    assertEquals(RawFrames.name(type) + " on " + channel, frame == null ? "end" : RawFrames.name(frame.type()) + " on " + frame.channel());
  }

  @Test
  void anAgentThatIgnoresTheWindowFailsFlowControl() throws Exception {
    Conformance.Result result = runAgainst("protocol.flow-control", (in, out) -> {
      expect(in, RawFrames.OPEN, 1);
      RawFrames.write(out, new Frame(RawFrames.OPEN_OK, 1, 1, 1, RawFrames.u32(1 << 20)));
      expect(in, RawFrames.DATA, 1);
      RawFrames.write(out, new Frame(RawFrames.DATA, 1, 2, 2,
          RawFrames.record("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"id\":\"p1\"}}")));
      expect(in, RawFrames.OPEN, 3);
      RawFrames.write(out, new Frame(RawFrames.OPEN_OK, 3, 3, 3, RawFrames.u32(1 << 20)));
      RawFrames.write(out, new Frame(RawFrames.DATA, 3, 4, 3, new byte[8192])); // the window is 4096
    });
    assertEquals(Conformance.Outcome.FAIL, result.outcome());
    assertEquals("the agent sent 8192 bytes with only 4096 granted", result.reason());
  }

  @Test
  void anAgentThatAnswersUnknownChannelsWithTheWrongCodeFails() throws Exception {
    Conformance.Result result = runAgainst("protocol.unknown-channel", (in, out) -> {
      expect(in, RawFrames.DATA, 99);
      RawFrames.write(out, new Frame(RawFrames.RESET, 99, 1, 1, RawFrames.error(1, "no idea")));
    });
    assertEquals(Conformance.Outcome.FAIL, result.outcome());
    assertEquals("RESET code 1 (no idea), expected UNKNOWN_CHANNEL (4)", result.reason());
  }

  @Test
  void anAgentThatStaysSilentAfterAnUnknownFrameTypeFails() throws Exception {
    Conformance.Result result = runAgainst("protocol.unknown-frame-type", (in, out) -> {
      RawFrames.read(in); // the 0x7f frame, then nothing: it ends the transport without a GOAWAY
      out.close();
    });
    assertEquals(Conformance.Outcome.FAIL, result.outcome());
    assertEquals("expected GOAWAY, got the end of the transport", result.reason());
  }
}
