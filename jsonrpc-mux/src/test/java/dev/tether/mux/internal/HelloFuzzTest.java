package dev.tether.mux.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * A hello from arbitrary bytes parses or fails with an IOException naming the problem; one that
 * parses survives being written and read again with the same settings. Corpus: HelloFuzzTestInputs/.
 */
class HelloFuzzTest {
  @FuzzTest
  void helloFromArbitraryBytes(byte[] input) throws IOException {
    Hello hello;
    try {
      hello = Hello.readFrom(new ByteArrayInputStream(input));
    } catch (IOException expected) {
      return; // not a hello: the handshake fails with this reason
    }
    ByteArrayOutputStream again = new ByteArrayOutputStream();
    try {
      hello.writeTo(again);
    } catch (IllegalArgumentException tooLong) {
      return; // e.g. an agent string re-encoded longer than a field holds; never sent by this side
    }
    Hello reread = Hello.readFrom(new ByteArrayInputStream(again.toByteArray()));
    assertEquals(hello.major(), reread.major());
    assertEquals(hello.minor(), reread.minor());
    assertEquals(hello.maxFrameSize(), reread.maxFrameSize());
    assertEquals(hello.replayLimit(), reread.replayLimit());
    assertEquals(hello.received(), reread.received());
    assertEquals(hello.errorCode(), reread.errorCode());
  }
}
