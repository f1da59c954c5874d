package dev.tether.mux.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * Whatever bytes a peer sends, the frame reader either hands on frames that respect the limits or
 * fails with an IOException (a protocol error or a truncated frame): never a runtime exception, never
 * a payload above the maximum frame size. Corpus: FrameReaderFuzzTestInputs/ (docs/FUZZING.md).
 */
class FrameReaderFuzzTest {
  private static final int MAX_FRAME = 4096;

  @FuzzTest
  void framesFromArbitraryBytes(byte[] input) {
    FrameReader reader = new FrameReader(new ByteArrayInputStream(input), MAX_FRAME, new PayloadPool(MAX_FRAME, 4));
    try {
      while (reader.nextFrame((frame, ack) -> check(frame))) {
        // keep reading
      }
    } catch (IOException expected) {
      // malformed or truncated: the session closes or detaches with this reason
    }
  }

  private static void check(Frame frame) {
    assertTrue(frame.payload.length <= MAX_FRAME, "payload of " + frame.payload.length);
    assertTrue(frame.type.sessionScoped() == (frame.channel == 0), frame.toString());
    assertTrue(frame.type.sequenced == (frame.seq() != 0), frame.toString());
  }
}
