package dev.tether.local.ssh.internal;

import dev.tether.local.ssh.Prompter;
import dev.tether.local.ssh.SshFailure;
import dev.tether.local.ssh.SshTarget;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.common.util.io.resource.PathResource;
import org.apache.sshd.common.util.security.SecurityUtils;

/**
 * The hop's identity files as MINA key pairs, loaded lazily in order: a passphrase is asked for only
 * when the server refused every key before it, as OpenSSH does. Each file is read at most once per
 * connection; a key that cannot be used is skipped and the reason recorded on the {@link HopAttempt},
 * so the final authentication failure can say what was tried.
 *
 * <p>Threading: MINA iterates on one I/O thread per session; the cache is concurrent anyway.
 */
public final class IdentityKeys implements KeyIdentityProvider {
  static final int PASSPHRASE_ATTEMPTS = 3;

  private final HopAttempt attempt;
  private final Prompter prompter;
  private final Map<Path, List<KeyPair>> loaded = new ConcurrentHashMap<>();

  public IdentityKeys(HopAttempt attempt, Prompter prompter) {
    this.attempt = attempt;
    this.prompter = prompter;
  }

  @Override
  public Iterable<KeyPair> loadKeys(SessionContext session) {
    return () -> new LazyKeys(session);
  }

  private List<KeyPair> keysOf(Path file, SessionContext session) {
    return loaded.computeIfAbsent(file, f -> load(f, session));
  }

  private List<KeyPair> load(Path file, SessionContext session) {
    if (!Files.isRegularFile(file)) {
      if (!attempt.hop().defaultIdentities()) {
        attempt.skipped(file + " (no such file)");
      }
      return List.of();
    }
    Passphrases passphrases = new Passphrases(file);
    try (InputStream in = Files.newInputStream(file)) {
      List<KeyPair> keys = new ArrayList<>();
      Iterable<KeyPair> pairs = SecurityUtils.loadKeyPairIdentities(session, new PathResource(file), in, passphrases);
      if (pairs != null) {
        pairs.forEach(keys::add);
      }
      attempt.offered(file.toString());
      return keys;
    } catch (SshFailure f) {
      attempt.keyFailed(f);
      attempt.skipped(file + " (" + shortReason(f) + ")");
    } catch (NoSuchAlgorithmException e) {
      attempt.skipped(file + " (unsupported key type: " + e.getMessage() + unsupportedHint(e) + ")");
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      if (passphrases.asked > 0) {
        attempt.keyFailed(new SshFailure(SshFailure.Kind.BAD_PASSPHRASE, "wrong passphrase for key " + file
            + " (" + passphrases.asked + " attempts)", e));
        attempt.skipped(file + " (wrong passphrase)");
      } else {
        attempt.skipped(file + " (unreadable: " + e.getMessage() + ")");
      }
    }
    return List.of();
  }

  private static String shortReason(SshFailure f) {
    return switch (f.kind()) {
      case NO_PROMPTER -> "passphrase-protected, nobody to ask";
      case BAD_PASSPHRASE -> "passphrase not given";
      default -> f.getMessage();
    };
  }

  private static String unsupportedHint(Exception e) {
    String m = String.valueOf(e.getMessage());
    return m.contains("ed25519") && !SecurityUtils.isEDDSACurveSupported()
        ? "; ed25519 needs the EdDSA provider (net.i2p.crypto:eddsa) on the class path" : "";
  }

  /** Asks the prompter for a key's passphrase, up to {@link #PASSPHRASE_ATTEMPTS} times. */
  private final class Passphrases implements FilePasswordProvider {
    private final Path file;
    private int asked;

    Passphrases(Path file) {
      this.file = file;
    }

    @Override
    public String getPassword(SessionContext session, NamedResource resource, int retryIndex) {
      if (attempt.hop().batchMode()) {
        throw new SshFailure(SshFailure.Kind.NO_PROMPTER, "key " + file
            + " is passphrase-protected and BatchMode=yes forbids asking; use an unencrypted key or ssh-agent");
      }
      if (!prompter.isAvailable()) {
        throw new SshFailure(SshFailure.Kind.NO_PROMPTER, "key " + file + " is passphrase-protected and there is"
            + " no terminal to ask: set SSH_ASKPASS to a passphrase program, or use an unencrypted key or ssh-agent");
      }
      attempt.prompted();
      asked++;
      String answer = prompter.prompt("Enter passphrase for key '" + file + "': ", false);
      if (answer == null) {
        throw new SshFailure(SshFailure.Kind.BAD_PASSPHRASE, "passphrase entry for key " + file + " was cancelled");
      }
      return answer;
    }

    @Override
    public ResourceDecodeResult handleDecodeAttemptResult(SessionContext session, NamedResource resource,
        int retryIndex, String password, Exception err) {
      if (err == null || retryIndex + 1 >= PASSPHRASE_ATTEMPTS) {
        return ResourceDecodeResult.TERMINATE;
      }
      return ResourceDecodeResult.RETRY;
    }
  }

  /** Walks the identity files, loading the next one only when MINA asks for another key. */
  private final class LazyKeys implements Iterator<KeyPair> {
    private final SessionContext session;
    private final Iterator<Path> files = attempt.hop().identities().iterator();
    private Iterator<KeyPair> current = List.<KeyPair>of().iterator();

    LazyKeys(SessionContext session) {
      this.session = session;
    }

    @Override
    public boolean hasNext() {
      while (!current.hasNext() && files.hasNext()) {
        current = keysOf(files.next(), session).iterator();
      }
      return current.hasNext();
    }

    @Override
    public KeyPair next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return current.next();
    }
  }
}
