package dev.tether.adapters.lsp.remote;

import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

/** Reads a JSON-RPC message's top-level {@code method} without building a tree of the whole message. */
final class JsonRpcPeek {
  private JsonRpcPeek() {}

  /** The method name, or null for responses, batches and anything unparsable. */
  static String method(byte[] body) {
    try (JsonReader reader = new JsonReader(new InputStreamReader(new ByteArrayInputStream(body), StandardCharsets.UTF_8))) {
      if (reader.peek() != JsonToken.BEGIN_OBJECT) {
        return null;
      }
      reader.beginObject();
      while (reader.hasNext()) {
        if (reader.nextName().equals("method") && reader.peek() == JsonToken.STRING) {
          return reader.nextString();
        }
        reader.skipValue();
      }
      return null;
    } catch (IOException | IllegalStateException e) {
      return null;
    }
  }
}
