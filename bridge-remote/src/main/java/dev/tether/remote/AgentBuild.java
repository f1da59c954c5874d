package dev.tether.remote;

import dev.tether.adapters.Version;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Which build of the agent this is: its version and the first 12 hex digits of its jar's SHA-256, the
 * same name the local side gives the agent's install directory ({@code AgentJar.installName}). The
 * agent daemon's socket is keyed by it, so a relay never reaches a daemon running another jar of the
 * same version (an older, a rebuilt or a tampered one).
 */
final class AgentBuild {
  private static final String HASH = jarHash();

  private AgentBuild() {}

  /** {@code VERSION-HASH12}; {@code VERSION-classes} when not run from a jar (the module's own tests). */
  static String name() {
    return Version.current() + "-" + HASH;
  }

  /**
   * The first 12 hex digits of the jar's SHA-256 ({@code classes} when not run from a jar). It alone
   * names the daemon's socket: a Unix socket path has at most 107 bytes, and a home directory eats into them.
   */
  static String hash() {
    return HASH;
  }

  private static String jarHash() {
    Path self;
    try {
      self = Path.of(AgentBuild.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (Exception e) {
      return "classes";
    }
    if (!Files.isRegularFile(self)) {
      return "classes";
    }
    try (InputStream in = Files.newInputStream(self)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[65536];
      for (int n; (n = in.read(buffer)) >= 0; ) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest()).substring(0, 12);
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot hash the agent jar " + self + ": " + e.getMessage(), e);
    }
  }
}
