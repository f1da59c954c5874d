package dev.tether.adapters.fs;

import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;

/**
 * {@link FileType} on the wire as its lower-case name, as docs/FS.md says. LSP4J's Gson writes enums as
 * numbers, so the fields that carry a type name this adapter. Numbers are still read: agents before 0.1.0 sent
 * the constant's position (0 file, 1 directory, 2 symlink, 3 other).
 */
public final class FileTypeNames extends TypeAdapter<FileType> {
  @Override
  public void write(JsonWriter out, FileType type) throws IOException {
    if (type == null) {
      out.nullValue();
    } else {
      out.value(type.name());
    }
  }

  @Override
  public FileType read(JsonReader in) throws IOException {
    JsonToken token = in.peek();
    if (token == JsonToken.NULL) {
      in.nextNull();
      return null;
    }
    if (token == JsonToken.NUMBER) {
      int position = in.nextInt();
      FileType[] all = FileType.values();
      return position >= 0 && position < all.length ? all[position] : FileType.other;
    }
    String name = in.nextString();
    for (FileType type : FileType.values()) {
      if (type.name().equals(name)) {
        return type;
      }
    }
    return FileType.other;
  }
}
