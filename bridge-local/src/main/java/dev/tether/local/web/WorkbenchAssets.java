package dev.tether.local.web;

import dev.tether.local.TetherException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The workbench page's files, bundled in tether.jar under {@code dev/tether/local/web/assets/} when the
 * build made them (clients/workbench, built by esbuild when Maven runs with {@code -Dworkbench}, as
 * {@code ./run-tests} does). Read once into memory: three files of a few MiB at most.
 */
public final class WorkbenchAssets {
  static final String ROOT = "dev/tether/local/web/assets/";
  static final String NOT_BUILT = "the workbench page was not built into this tether.jar: run ./run-tests, or"
      + " (cd clients/typescript && npm ci) && (cd clients/workbench && npm ci) and then"
      + " mvn -B -ntp -DskipTests -Dworkbench package -pl bridge-local -am";

  /** A file served at {@code /NAME}: its bytes and content type. */
  public record Asset(byte[] bytes, String contentType) {}

  private static final Map<String, String> FILES = Map.of(
      "index.html", "text/html; charset=utf-8",
      "workbench.js", "text/javascript; charset=utf-8",
      "workbench.css", "text/css; charset=utf-8");

  private final Map<String, Asset> assets;

  private WorkbenchAssets(Map<String, Asset> assets) {
    this.assets = assets;
  }

  /** The bundled page; a clear error saying how to build it when this jar was built without it. */
  public static WorkbenchAssets load() throws TetherException {
    Map<String, Asset> assets = new LinkedHashMap<>();
    for (Map.Entry<String, String> file : FILES.entrySet()) {
      byte[] bytes = read(ROOT + file.getKey());
      if (bytes == null) {
        throw new TetherException(NOT_BUILT);
      }
      assets.put(file.getKey(), new Asset(bytes, file.getValue()));
    }
    return new WorkbenchAssets(assets);
  }

  /** The file at {@code /name}, or null. */
  public Asset get(String name) {
    return assets.get(name);
  }

  private static byte[] read(String resource) {
    try (InputStream in = WorkbenchAssets.class.getClassLoader().getResourceAsStream(resource)) {
      return in == null ? null : in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource + " from the jar", e);
    }
  }
}
