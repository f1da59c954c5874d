package dev.tether.adapters.lsp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A remote file system in memory that counts what the code under test asks of it. */
final class FakeRemoteFiles implements RemoteFiles {
  private final Map<String, byte[]> contents = new HashMap<>();
  private final Map<String, Stamp> stamps = new HashMap<>();
  final List<String> reads = new ArrayList<>();
  final List<String> stats = new ArrayList<>();

  /** A file whose stat claims {@code claimedSize} bytes whatever it holds (a lying host, a device). */
  FakeRemoteFiles putLying(String path, byte[] content, long claimedSize) {
    contents.put(path, content);
    stamps.put(path, new Stamp(claimedSize, 1_000L));
    return this;
  }

  FakeRemoteFiles put(String path, String content, long modifiedMillis) {
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    contents.put(path, bytes);
    stamps.put(path, new Stamp(bytes.length, modifiedMillis));
    return this;
  }

  @Override
  public Stamp stat(String remotePath) throws IOException {
    stats.add(remotePath);
    Stamp stamp = stamps.get(remotePath);
    if (stamp == null) {
      throw new NoSuchFileException(remotePath);
    }
    return stamp;
  }

  @Override
  public byte[] read(String remotePath, long maxBytes) throws IOException {
    reads.add(remotePath);
    byte[] content = contents.get(remotePath);
    if (content == null) {
      throw new NoSuchFileException(remotePath);
    }
    return RemoteFiles.readAtMost(new java.io.ByteArrayInputStream(content), maxBytes, remotePath);
  }
}
