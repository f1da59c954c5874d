package dev.tether.local.ssh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

/** Client and host keys made by the real {@code ssh-keygen}, so tests read the files users have. */
public final class TestKeys {
  public static final String SSH_KEYGEN = "/usr/bin/ssh-keygen";

  private TestKeys() {
  }

  /** An ECDSA P-256 key pair at {@code dir/name} (+ .pub); {@code passphrase} may be empty. */
  public static Path generate(Path dir, String name, String passphrase) {
    Path key = dir.resolve(name);
    // -a 4: few KDF rounds, so decrypting a protected key stays fast in tests.
    TestProcesses.run(List.of(SSH_KEYGEN, "-q", "-t", "ecdsa", "-b", "256", "-a", "4", "-N", passphrase,
        "-C", name, "-f", key.toString()));
    return key;
  }

  public static Path publicFile(Path privateKey) {
    return privateKey.resolveSibling(privateKey.getFileName() + ".pub");
  }

  /** The {@code TYPE BASE64} part of a .pub file (without comment), as used in known_hosts. */
  public static String publicLine(Path privateKey) {
    try {
      String[] parts = Files.readString(publicFile(privateKey), StandardCharsets.UTF_8).strip().split("\\s+");
      return parts[0] + " " + parts[1];
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static PublicKey publicKey(Path privateKey) {
    try {
      return PublicKeyEntry.parsePublicKeyEntry(publicLine(privateKey))
          .resolvePublicKey(null, null, PublicKeyEntryResolver.FAILING);
    } catch (Exception e) {
      throw new IllegalStateException("cannot read " + publicFile(privateKey) + ": " + e.getMessage(), e);
    }
  }
}
