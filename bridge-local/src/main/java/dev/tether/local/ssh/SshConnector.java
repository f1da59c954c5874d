package dev.tether.local.ssh;

import dev.tether.local.ssh.internal.Failures;
import dev.tether.local.ssh.internal.HopAttempt;
import dev.tether.local.ssh.internal.HostKeyVerifier;
import dev.tether.local.ssh.internal.IdentityKeys;
import dev.tether.local.ssh.internal.PromptingUserInteraction;
import dev.tether.local.ssh.internal.RecordingPublicKeyAuthFactory;
import dev.tether.local.ssh.internal.SshConfigResolver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.UserAuthFactory;
import org.apache.sshd.client.auth.keyboard.UserAuthKeyboardInteractiveFactory;
import org.apache.sshd.client.auth.password.PasswordIdentityProvider;
import org.apache.sshd.client.auth.password.UserAuthPasswordFactory;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.future.AuthFuture;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.client.session.ClientSession.ClientSessionEvent;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.cipher.Cipher;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.core.CoreModuleProperties;

/**
 * Opens {@link SshConnection}s the way OpenSSH's {@code ssh} would: ssh_config and ssh-style options,
 * strict known_hosts checking by default, public-key authentication with identity files, prompts
 * through a {@link Prompter}, and ProxyJump through any number of jump hosts.
 *
 * <p>Each connection gets its own MINA {@link SshClient} (its own I/O threads), so closing a
 * connection releases everything it used and one connection's failure cannot disturb another.
 *
 * <p>Threading: thread-safe; {@link #connect} blocks the calling thread until the connection is
 * authenticated or has failed. Prompts run on MINA I/O threads meanwhile.
 */
public final class SshConnector {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SshConnector.class);
  /** Bounds authentication including the time a person needs to type a passphrase. */
  static final Duration AUTH_TIMEOUT = Duration.ofMinutes(5);

  private final SshEnvironment environment;
  private final Prompter prompter;

  public SshConnector(SshEnvironment environment, Prompter prompter) {
    this.environment = environment;
    this.prompter = prompter;
  }

  /** The real environment, prompting on the console or through SSH_ASKPASS. */
  public static SshConnector system() {
    SshEnvironment env = SshEnvironment.system();
    return new SshConnector(env, Prompter.forEnvironment(env));
  }

  public SshEnvironment environment() {
    return environment;
  }

  /** Applies ssh_config and the options without connecting (for {@code tether doctor} and tests). */
  public SshTarget resolve(SshDestination destination, SshOptions options) {
    return new SshConfigResolver(environment).resolve(destination, options);
  }

  /** Resolves and connects; every failure is an {@link SshFailure} with a one-line message. */
  public SshConnection connect(SshDestination destination, SshOptions options) {
    return connect(resolve(destination, options));
  }

  /** Connects to an already resolved target, through its jump hosts in order. */
  public SshConnection connect(SshTarget target) {
    SshClient client = newClient(target);
    List<AutoCloseable> opened = new ArrayList<>();
    try {
      List<ClientSession> sessions = new ArrayList<>();
      SshTarget previous = null;
      for (SshTarget hop : hops(target)) {
        ClientSession via = sessions.isEmpty() ? null : sessions.get(sessions.size() - 1);
        ClientSession session = openHop(client, hop, previous, via, opened);
        sessions.add(session);
        previous = hop;
      }
      return new SshConnection(target, client, sessions, opened);
    } catch (RuntimeException | Error e) {
      SshConnection.closeAll(opened, client);
      throw e;
    }
  }

  private static List<SshTarget> hops(SshTarget target) {
    List<SshTarget> hops = new ArrayList<>(target.jumps());
    hops.add(target);
    return hops;
  }

  private SshClient newClient(SshTarget target) {
    SshClient client = SshClient.setUpDefaultClient();
    // Everything per hop comes from HopAttempt; the client-wide defaults would read the real ~/.ssh.
    client.setServerKeyVerifier((session, address, key) ->
        HostKeyVerifier.forAttempt(HopAttempt.of(session)).verifyServerKey(session, address, key));
    client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
    client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
    client.setPasswordIdentityProvider(PasswordIdentityProvider.EMPTY_PASSWORDS_PROVIDER);
    // A tunnel may be idle for hours; keepalive is the session protocol's job, not an idle timer's.
    CoreModuleProperties.IDLE_TIMEOUT.set(client, Duration.ZERO);
    CoreModuleProperties.IO_CONNECT_TIMEOUT.set(client, target.connectTimeout());
    // Small request/answer traffic (LSP) must not wait for the peer's delayed ACK: with Nagle on, the
    // LSP benchmark's round-trip p99 was about 44 ms (docs/BENCHMARKS.md).
    CoreModuleProperties.TCP_NODELAY.set(client, true);
    // Read for every I/O cycle: unset, each lookup falls through to the system properties and builds
    // their key strings, most of the daemon's garbage per LSP round trip (docs/BENCHMARKS.md, "Garbage
    // per round trip"). Their default values, set here, are found at once.
    CoreModuleProperties.NIO2_READ_TIMEOUT.set(client, CoreModuleProperties.NIO2_READ_TIMEOUT.getRequiredDefault());
    CoreModuleProperties.NIO2_MIN_WRITE_TIMEOUT.set(client, CoreModuleProperties.NIO2_MIN_WRITE_TIMEOUT.getRequiredDefault());
    client.setCipherFactories(fastCiphersFirst(client.getCipherFactories()));
    client.start();
    return client;
  }

  /**
   * MINA offers chacha20-poly1305 first, which it computes in plain Java: a quarter of OpenSSH's bulk
   * throughput on loopback (docs/BENCHMARKS.md, "File transfer"). AES-GCM, then AES-CTR, run on the
   * CPU's AES instructions through the JDK; every cipher stays offered, only the order changes.
   */
  static List<NamedFactory<Cipher>> fastCiphersFirst(List<NamedFactory<Cipher>> offered) {
    List<String> preferred = List.of("aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "aes128-ctr", "aes192-ctr", "aes256-ctr");
    List<NamedFactory<Cipher>> ordered = new ArrayList<>(offered);
    ordered.sort(java.util.Comparator.comparingInt(f -> {
      int rank = preferred.indexOf(f.getName());
      return rank < 0 ? preferred.size() : rank;
    }));
    return ordered;
  }

  private ClientSession openHop(SshClient client, SshTarget hop, SshTarget previous, ClientSession via,
      List<AutoCloseable> opened) {
    HopAttempt attempt = new HopAttempt(hop, previous);
    InetSocketAddress address = via == null ? directAddress(attempt) : forwardThrough(via, attempt, opened);
    ClientSession session = connectTcp(client, attempt, address);
    opened.add(session);
    configure(session, attempt);
    awaitHandshake(session, attempt);
    disablePasswordsAfterChangedKey(session, attempt);
    authenticate(session, attempt);
    return session;
  }

  private static InetSocketAddress directAddress(HopAttempt attempt) {
    SshTarget hop = attempt.hop();
    InetSocketAddress address = new InetSocketAddress(hop.hostName(), hop.port());
    if (address.isUnresolved()) {
      throw Failures.connectFailed(attempt, new java.net.UnknownHostException(hop.hostName()));
    }
    return address;
  }

  /**
   * Reaches the next hop through a direct-tcpip channel of the previous one. MINA sessions need a
   * socket, so the channel is exposed on an ephemeral 127.0.0.1 port for the life of the connection
   * (MINA's own ProxyJump does the same); host keys are still checked under the hop's real name.
   */
  private static InetSocketAddress forwardThrough(ClientSession via, HopAttempt attempt, List<AutoCloseable> opened) {
    SshTarget hop = attempt.hop();
    try {
      var tracker = via.createLocalPortForwardingTracker(
          new SshdSocketAddress(SshdSocketAddress.LOCALHOST_IPV4, 0),
          new SshdSocketAddress(hop.hostName(), hop.port()));
      opened.add(tracker);
      return tracker.getBoundAddress().toInetSocketAddress();
    } catch (IOException | RuntimeException e) {
      throw Failures.handshakeFailed(attempt, e);
    }
  }

  private static ClientSession connectTcp(SshClient client, HopAttempt attempt, InetSocketAddress address) {
    SshTarget hop = attempt.hop();
    try {
      ConnectFuture future = client.connect(hop.user(), address,
          AttributeRepository.ofKeyValuePair(HopAttempt.KEY, attempt), null);
      if (!future.await(hop.connectTimeout())) {
        future.cancel();
        throw Failures.timedOut(hop, hop.connectTimeout(), "connecting to");
      }
      if (future.getException() != null) {
        throw Failures.connectFailed(attempt, future.getException());
      }
      return future.getClientSession();
    } catch (IOException e) {
      throw Failures.connectFailed(attempt, e);
    }
  }

  private void configure(ClientSession session, HopAttempt attempt) {
    SshTarget hop = attempt.hop();
    session.setKeyIdentityProvider(new IdentityKeys(attempt, prompter));
    session.setUserInteraction(new PromptingUserInteraction(attempt, prompter));
    List<UserAuthFactory> methods = new ArrayList<>();
    if (hop.pubkeyAuth()) {
      methods.add(new RecordingPublicKeyAuthFactory(attempt));
    }
    // Password methods only make sense when someone can answer; otherwise they just add a round trip.
    if (!hop.batchMode() && prompter.isAvailable()) {
      if (hop.kbdInteractiveAuth()) {
        methods.add(UserAuthKeyboardInteractiveFactory.INSTANCE);
      }
      if (hop.passwordAuth()) {
        methods.add(UserAuthPasswordFactory.INSTANCE);
      }
    }
    session.setUserAuthFactories(methods);
  }

  /**
   * After a changed host key accepted under StrictHostKeyChecking=no, only public-key authentication
   * is left (OpenSSH does the same): a signature proves nothing an impostor could reuse, a password does.
   */
  private void disablePasswordsAfterChangedKey(ClientSession session, HopAttempt attempt) {
    String warning = attempt.changedHostKeyWarning();
    if (warning == null) {
      return;
    }
    log.warn(warning);
    prompter.warn(warning);
    // The methods' prompts are refused by PromptingUserInteraction; dropping the methods spares the round trips.
    session.setUserAuthFactories(session.getUserAuthFactories().stream()
        .filter(f -> f instanceof RecordingPublicKeyAuthFactory)
        .toList());
  }

  /** Waits for the key exchange (and host-key check) to finish, bounded by ConnectTimeout. */
  private static void awaitHandshake(ClientSession session, HopAttempt attempt) {
    SshTarget hop = attempt.hop();
    Set<ClientSessionEvent> events = session.waitFor(
        EnumSet.of(ClientSessionEvent.WAIT_AUTH, ClientSessionEvent.AUTHED, ClientSessionEvent.CLOSED),
        hop.connectTimeout());
    if (events.contains(ClientSessionEvent.CLOSED) || !session.isOpen()) {
      throw Failures.handshakeFailed(attempt, null);
    }
    if (events.contains(ClientSessionEvent.TIMEOUT)) {
      session.close(true);
      throw attempt.hostKeyFailure() != null ? attempt.hostKeyFailure()
          : Failures.timedOut(hop, hop.connectTimeout(), "waiting for the SSH handshake with");
    }
  }

  private static void authenticate(ClientSession session, HopAttempt attempt) {
    try {
      AuthFuture auth = session.auth();
      if (!auth.await(AUTH_TIMEOUT)) {
        throw Failures.timedOut(attempt.hop(), AUTH_TIMEOUT, "authenticating to");
      }
      if (!auth.isSuccess()) {
        throw Failures.authFailed(attempt, auth.getException());
      }
    } catch (IOException e) {
      throw Failures.authFailed(attempt, e);
    }
  }
}
