package dev.tether.adapters.fs.remote;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tether.mux.Channel;
import dev.tether.mux.ErrorCode;
import dev.tether.mux.OpenRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Remote half of {@code fs.read}: streams one host file over a byte channel, then ends the stream.
 * Used to materialize host-only files (system headers, site-packages) for go-to-definition. Errors
 * name the path and the reason, e.g. {@code FileNotFound: /usr/include/nope.h}.
 */
public final class FileReadHost {
  private static final int CHUNK = 64 * 1024;

  /** {@code fs.stat}: answers with size and modification time in the OPEN_OK metadata, then closes. */
  public void stat(OpenRequest request) throws IOException {
    Path path = pathOf(request);
    if (path == null) {
      return;
    }
    try {
      java.nio.file.attribute.BasicFileAttributes attributes =
          Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class);
      if (attributes.isDirectory()) {
        request.reject(ErrorCode.SERVICE_ERROR, "FileIsADirectory: " + path);
        return;
      }
      if (!attributes.isRegularFile()) { // a FIFO would block the read, a device never end
        request.reject(ErrorCode.SERVICE_ERROR, "NotARegularFile: " + path);
        return;
      }
      request.accept("{\"size\":" + attributes.size() + ",\"modifiedMillis\":"
          + attributes.lastModifiedTime().toMillis() + "}").close();
    } catch (NoSuchFileException e) {
      request.reject(ErrorCode.SERVICE_ERROR, "FileNotFound: " + path);
    } catch (AccessDeniedException e) {
      request.reject(ErrorCode.SERVICE_ERROR, "NoPermissions: " + path);
    }
  }

  private static Path pathOf(OpenRequest request) {
    Path path;
    try {
      JsonObject meta = JsonParser.parseString(request.metadata()).getAsJsonObject();
      path = Path.of(meta.get("path").getAsString());
    } catch (RuntimeException e) {
      request.reject(ErrorCode.CHANNEL_REFUSED, request.kind() + " needs metadata {\"path\": \"/absolute/path\"}");
      return null;
    }
    if (!path.isAbsolute()) {
      request.reject(ErrorCode.SERVICE_ERROR, "FileNotFound: " + path + " (not an absolute path)");
      return null;
    }
    return path;
  }

  public void open(OpenRequest request) throws IOException {
    Path path = pathOf(request);
    if (path == null) {
      return;
    }
    if (Files.isDirectory(path)) {
      request.reject(ErrorCode.SERVICE_ERROR, "FileIsADirectory: " + path);
      return;
    }
    if (Files.exists(path) && !Files.isRegularFile(path)) { // opening a FIFO blocks until a writer comes
      request.reject(ErrorCode.SERVICE_ERROR, "NotARegularFile: " + path);
      return;
    }
    InputStream in;
    long size;
    try {
      in = Files.newInputStream(path);
      size = Files.size(path);
    } catch (NoSuchFileException e) {
      request.reject(ErrorCode.SERVICE_ERROR, "FileNotFound: " + path);
      return;
    } catch (AccessDeniedException e) {
      request.reject(ErrorCode.SERVICE_ERROR, "NoPermissions: " + path);
      return;
    }
    Channel channel = request.accept("{\"size\":" + size + "}");
    try (in) {
      byte[] buffer = new byte[CHUNK];
      int n;
      while ((n = in.read(buffer)) >= 0) {
        channel.write(buffer, 0, n);
      }
      channel.close();
    } catch (IOException e) {
      channel.reset(ErrorCode.SERVICE_ERROR, "Unavailable: reading " + path + " failed: " + e.getMessage());
    }
  }
}
