package dev.tether.mux.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tether.mux.ChannelFlavour;

/**
 * Every control payload parser, fed arbitrary bytes, returns a value within the documented ranges or
 * throws MalformedPayloadException (a RESET or GOAWAY with the reason): never a runtime exception.
 * The first input byte picks the parser. Corpus: PayloadsFuzzTestInputs/.
 */
class PayloadsFuzzTest {
  @FuzzTest
  void controlPayloadsFromArbitraryBytes(FuzzedDataProvider data) {
    int which = data.consumeInt(0, 4);
    byte[] p = data.consumeRemainingAsBytes();
    try {
      switch (which) {
        case 0 -> {
          Payloads.Open open = Payloads.parseOpen(p);
          assertTrue(open.window() >= 0);
          assertTrue(!open.kind().isEmpty() && open.flavour() != null);
        }
        case 1 -> assertTrue(Payloads.parseOpenOk(p).window() >= 0);
        case 2 -> {
          Payloads.Error error = Payloads.parseError(p);
          assertTrue(error.code() != null && error.wireCode() >= 0 && error.wireCode() <= 0xFFFF);
          // re-encoding never exceeds the reason cut, whatever the peer sent
          assertTrue(Payloads.error(error.code(), error.reason()).length <= 2 + Payloads.MAX_REASON_BYTES);
        }
        case 3 -> assertTrue(Payloads.parseCredit(p) > 0);
        default -> assertEquals(p.length, 8, "PING parsed from " + p.length + " bytes: " + Payloads.parsePing(p));
      }
    } catch (MalformedPayloadException expected) {
      // answered with a RESET (channel frames) or a GOAWAY (session frames) carrying this reason
    }
  }

  @FuzzTest
  void openRoundTrips(FuzzedDataProvider data) throws MalformedPayloadException {
    int window = data.consumeInt(0, Integer.MAX_VALUE);
    ChannelFlavour flavour = data.pickValue(ChannelFlavour.values());
    String kind = data.consumeString(100);
    String metadata = data.consumeRemainingAsString();
    byte[] encoded;
    try {
      encoded = Payloads.open(window, flavour, kind, metadata);
    } catch (IllegalArgumentException badKind) {
      return; // an empty or too long kind is refused before anything is sent
    }
    Payloads.Open open = Payloads.parseOpen(encoded);
    assertEquals(window, open.window());
    assertEquals(flavour, open.flavour());
    assertEquals(new String(kind.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        java.nio.charset.StandardCharsets.UTF_8), open.kind());
  }
}
