package dev.tether.mux.jsonrpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The LSP decoder, fed arbitrary bytes in arbitrary chunks, gives the same messages (and the same
 * failure) as when fed everything at once, never a message above the limit, and never a runtime
 * exception. Corpus: BaseProtocolDecoderFuzzTestInputs/.
 */
class BaseProtocolDecoderFuzzTest {
  private static final int LIMIT = 64 * 1024;

  @FuzzTest
  void chunkingNeverChangesTheMessages(FuzzedDataProvider data) {
    int[] cuts = data.consumeInts(16);
    byte[] stream = data.consumeRemainingAsBytes();
    Outcome whole = decode(stream, new int[0]);
    Outcome chunked = decode(stream, cuts);
    assertEquals(whole.messages.size(), chunked.messages.size());
    for (int i = 0; i < whole.messages.size(); i++) {
      assertTrue(Arrays.equals(whole.messages.get(i), chunked.messages.get(i)), "message " + i);
      assertTrue(whole.messages.get(i).length <= LIMIT);
    }
    assertEquals(whole.failure, chunked.failure);
  }

  private record Outcome(List<byte[]> messages, String failure) {}

  private static Outcome decode(byte[] stream, int[] cuts) {
    List<byte[]> out = new ArrayList<>();
    BaseProtocolDecoder decoder = new BaseProtocolDecoder(LIMIT, out::add);
    int at = 0;
    try {
      for (int cut : cuts) {
        int n = Math.floorMod(cut, 64);
        n = Math.min(n, stream.length - at);
        decoder.feed(stream, at, n);
        at += n;
      }
      decoder.feed(stream, at, stream.length - at);
      return new Outcome(out, null);
    } catch (IOException e) {
      return new Outcome(out, e.getMessage());
    }
  }
}
