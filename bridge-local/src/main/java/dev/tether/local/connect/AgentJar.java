package dev.tether.local.connect;

import dev.tether.adapters.Version;
import dev.tether.local.TetherException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The agent jar this tether uploads to hosts: found through the {@code tether.agent.jar} system
 * property (set by the launcher) or next to the running jar. Its install directory on a host is
 * {@code ~/.tether/server/<version>-<first 12 hex of its SHA-256>}, so a changed build never runs
 * against a stale agent.
 */
public record AgentJar(Path path, String sha256) {
  public static AgentJar locate() throws TetherException {
    String property = System.getProperty("tether.agent.jar");
    Path candidate = property != null ? Path.of(property) : besideRunningJar();
    if (candidate == null || !Files.isRegularFile(candidate)) {
      throw new TetherException("the agent jar (tether-remote.jar) was not found"
          + (candidate == null ? "" : " at " + candidate) + "; run tether through ./tether in a built checkout");
    }
    return new AgentJar(candidate, sha256(candidate));
  }

  private static Path besideRunningJar() {
    try {
      Path self = Path.of(AgentJar.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return self.resolveSibling("tether-remote.jar");
    } catch (Exception e) {
      return null;
    }
  }

  public String installName() {
    return Version.current() + "-" + sha256.substring(0, 12);
  }

  /** The install directory relative to the remote home. */
  public String remoteDir() {
    return ".tether/server/" + installName();
  }

  public long size() throws IOException {
    return Files.size(path);
  }

  static String sha256(Path file) throws TetherException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[65536];
      int n;
      while ((n = in.read(buffer)) >= 0) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new TetherException("cannot read the agent jar " + file + ": " + e.getMessage(), e);
    }
  }
}
