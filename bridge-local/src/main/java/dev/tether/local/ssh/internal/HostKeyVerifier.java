package dev.tether.local.ssh.internal;

import dev.tether.local.ssh.HostKeyChecking;
import dev.tether.local.ssh.SshFailure;
import dev.tether.local.ssh.SshTarget;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Collection;
import java.util.List;
import org.apache.sshd.client.config.hosts.KnownHostDigest;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.mac.Mac;
import org.apache.sshd.common.util.net.SshdSocketAddress;

/**
 * known_hosts checking for one hop, on top of MINA's {@link KnownHostsServerKeyVerifier} (which
 * parses hashed entries, {@code [host]:port} patterns and markers, and appends new entries).
 *
 * <p>What this adds: the host is looked up under its <em>logical</em> name and port (the one the user
 * asked for, or HostKeyAlias) rather than the socket address, which for a ProxyJump hop is a local
 * forwarding port; every refusal is recorded on the {@link HopAttempt} as a one-line
 * {@link SshFailure}. Called by MINA on an I/O thread, once per key exchange.
 *
 * <p>{@code StrictHostKeyChecking=no} behaves as in OpenSSH: an unknown key is accepted (and, unlike
 * OpenSSH, not written down), and a key that differs from the known one is accepted with a warning,
 * but the hop is then marked ({@link HopAttempt#changedHostKeyAccepted}) so that only public-key
 * authentication is offered: a password or a keyboard-interactive answer typed to whoever now holds
 * the host's name would give it away. The known_hosts file is never rewritten for a changed key.
 */
public final class HostKeyVerifier extends KnownHostsServerKeyVerifier {
  private final HopAttempt attempt;

  private HostKeyVerifier(HopAttempt attempt, ServerKeyVerifier onUnknown) {
    super(onUnknown, attempt.hop().knownHostsFile());
    this.attempt = attempt;
  }

  /** The verifier for the hop's policy; {@code OFF} accepts any key and writes nothing. */
  public static ServerKeyVerifier forAttempt(HopAttempt attempt) {
    SshTarget hop = attempt.hop();
    ServerKeyVerifier onUnknown = hop.hostKeyChecking() == HostKeyChecking.OFF
        ? (session, address, key) -> true
        : hop.hostKeyChecking() == HostKeyChecking.ACCEPT_NEW
        ? (session, address, key) -> prepareKnownHostsDirectory(hop.knownHostsFile())
        : (session, address, key) -> {
          attempt.hostKeyRejected(unknownKey(hop, key));
          return false;
        };
    return new HostKeyVerifier(attempt, onUnknown);
  }

  @Override
  protected Collection<SshdSocketAddress> resolveHostNetworkIdentities(ClientSession session, SocketAddress remote) {
    return List.of(new SshdSocketAddress(attempt.hop().knownHostsName(), attempt.hop().port()));
  }

  @Override
  protected boolean acceptUnknownHostKey(ClientSession session, SocketAddress remote, PublicKey key) {
    if (attempt.hop().hostKeyChecking() == HostKeyChecking.OFF) {
      return true; // OFF writes nothing
    }
    return super.acceptUnknownHostKey(session, remote, key);
  }

  @Override
  public boolean acceptModifiedServerKey(ClientSession session, SocketAddress remote, KnownHostEntry entry,
      PublicKey expected, PublicKey actual) {
    SshTarget hop = attempt.hop();
    if (hop.hostKeyChecking() == HostKeyChecking.OFF) {
      attempt.changedHostKeyAccepted("WARNING: the host key of " + hop.knownHostsPattern() + " has changed ("
          + describe(actual) + ", but " + hop.knownHostsFile() + " line " + lineOf(hop.knownHostsFile(), entry)
          + " has " + describe(expected) + "); accepted because StrictHostKeyChecking=no, so password and"
          + " keyboard-interactive authentication are disabled for this connection, as in OpenSSH");
      return true;
    }
    attempt.hostKeyRejected(changedKey(hop, entry, expected, actual));
    return false;
  }

  @Override
  protected void updateModifiedServerKey(ClientSession session, SocketAddress remote, HostEntryPair match,
      PublicKey actual, Path file, Collection<HostEntryPair> knownHosts) {
    // Never: a key accepted under StrictHostKeyChecking=no must not replace the one the user trusted.
  }

  @Override
  protected void handleRevokedKey(ClientSession session, SocketAddress remote, PublicKey key) {
    SshTarget hop = attempt.hop();
    attempt.hostKeyRejected(new SshFailure(SshFailure.Kind.CHANGED_HOST_KEY, "REFUSED: the host key of "
        + hop.knownHostsPattern() + " (" + describe(key) + ") is marked @revoked in " + hop.knownHostsFile()
        + "; do not connect until its administrator tells you the new key"));
  }

  @Override
  protected boolean acceptIncompleteHostKeys(ClientSession session, SocketAddress remote, PublicKey key, Throwable reason) {
    if (attempt.hop().hostKeyChecking() == HostKeyChecking.OFF) {
      return true; // OFF never needed the file; it reads it only to notice a changed key
    }
    attempt.hostKeyRejected(new SshFailure(SshFailure.Kind.CONFIG, "cannot read known_hosts file "
        + attempt.hop().knownHostsFile() + ": " + reason.getMessage(), reason));
    return false;
  }

  @Override
  protected NamedFactory<Mac> getHostValueDigester(ClientSession session, SocketAddress remote, SshdSocketAddress host) {
    return attempt.hop().hashKnownHosts() ? KnownHostDigest.SHA1 : null;
  }

  @Override
  public boolean verifyServerKey(ClientSession session, SocketAddress remote, PublicKey key) {
    boolean ok = super.verifyServerKey(session, remote, key);
    if (ok) {
      attempt.hostKeyAccepted();
    }
    return ok;
  }

  /** {@code ecdsa-sha2-nistp256 key SHA256:...}, the way users compare fingerprints. */
  public static String describe(PublicKey key) {
    return KeyUtils.getKeyType(key) + " key " + KeyUtils.getFingerPrint(key);
  }

  static SshFailure unknownKey(SshTarget hop, PublicKey key) {
    Path file = hop.knownHostsFile();
    return new SshFailure(SshFailure.Kind.UNKNOWN_HOST_KEY, "host key of " + hop.knownHostsPattern()
        + " is not known: the server sent " + describe(key) + ", which is not in " + file
        + ". Verify that fingerprint with the host's administrator, then add it with 'ssh-keyscan -p "
        + hop.port() + " " + hop.hostName() + " >> " + file
        + "', or connect once with -o StrictHostKeyChecking=accept-new");
  }

  static SshFailure changedKey(SshTarget hop, KnownHostEntry entry, PublicKey expected, PublicKey actual) {
    Path file = hop.knownHostsFile();
    return new SshFailure(SshFailure.Kind.CHANGED_HOST_KEY, "WARNING: REMOTE HOST KEY HAS CHANGED for "
        + hop.knownHostsPattern() + " - someone could be doing something nasty (a man-in-the-middle attack)!"
        + " The server sent " + describe(actual) + " but " + file + " line " + lineOf(file, entry)
        + " has " + describe(expected) + ". Connection refused. If the host really got a new key, remove the"
        + " old one with 'ssh-keygen -R \"" + hop.knownHostsPattern() + "\" -f " + file + "' and connect again");
  }

  /** The 1-based line of {@code entry} in {@code file}, or "?" if it cannot be found again. */
  private static String lineOf(Path file, KnownHostEntry entry) {
    String wanted = entry.getConfigLine() == null ? "" : entry.getConfigLine().strip();
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i).strip();
        if (!wanted.isEmpty() && (line.equals(wanted) || line.startsWith(wanted))) {
          return Integer.toString(i + 1);
        }
      }
    } catch (IOException e) {
      // the message still names the file
    }
    return "?";
  }

  private static boolean prepareKnownHostsDirectory(Path file) {
    try {
      Path dir = file.toAbsolutePath().getParent();
      if (dir != null && !Files.isDirectory(dir)) {
        Files.createDirectories(dir);
      }
    } catch (IOException e) {
      // MINA reports the failed write; the connection itself may still proceed
    }
    return true;
  }
}
