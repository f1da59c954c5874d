package dev.tether.local.ssh.internal;

import dev.tether.local.ssh.SshFailure;
import dev.tether.local.ssh.SshTarget;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.session.Session;

/**
 * What happened while connecting to one hop, recorded by the host-key verifier, the key loader and
 * the prompting code (all on MINA I/O threads) and read by the connecting thread to build one clear
 * {@link SshFailure}. Travels to those callbacks as the session's connection context.
 *
 * <p>Threading: written from I/O threads, read by the connecting thread after the handshake or
 * authentication future completed; every field is volatile or guarded by {@code this}.
 */
public final class HopAttempt {
  public static final AttributeRepository.AttributeKey<HopAttempt> KEY = new AttributeRepository.AttributeKey<>();

  private final SshTarget hop;
  private final SshTarget via;
  private final List<String> offered = new ArrayList<>();
  private final List<String> skipped = new ArrayList<>();
  private volatile SshFailure hostKeyFailure;
  private volatile SshFailure keyFailure;
  private volatile boolean hostKeyAccepted;
  private volatile String changedHostKeyWarning;
  private volatile boolean prompted;
  private volatile List<String> serverMethods = List.of();

  public HopAttempt(SshTarget hop, SshTarget via) {
    this.hop = hop;
    this.via = via;
  }

  /** The attempt riding on {@code session}'s connection context. */
  public static HopAttempt of(Session session) {
    AttributeRepository context = session instanceof org.apache.sshd.client.session.ClientSession cs
        ? cs.getConnectionContext() : null;
    HopAttempt attempt = context == null ? null : context.getAttribute(KEY);
    if (attempt == null) {
      throw new IllegalStateException("session " + session + " was not opened by SshConnector");
    }
    return attempt;
  }

  public SshTarget hop() {
    return hop;
  }

  /** The jump hop this one is reached through, or {@code null} for a direct connection. */
  public SshTarget via() {
    return via;
  }

  public void hostKeyRejected(SshFailure failure) {
    hostKeyFailure = failure;
  }

  public SshFailure hostKeyFailure() {
    return hostKeyFailure;
  }

  public void hostKeyAccepted() {
    hostKeyAccepted = true;
  }

  /**
   * The host's key differs from the known one and was accepted anyway (StrictHostKeyChecking=no):
   * only public-key authentication may follow. {@code warning} is what the user is told.
   */
  public void changedHostKeyAccepted(String warning) {
    changedHostKeyWarning = warning;
  }

  /** The warning recorded by {@link #changedHostKeyAccepted}, or null when the key was not changed. */
  public String changedHostKeyWarning() {
    return changedHostKeyWarning;
  }

  public boolean isHostKeyAccepted() {
    return hostKeyAccepted;
  }

  /** Keeps the first key-loading failure (wrong passphrase, nobody to ask): it explains a later auth failure. */
  public void keyFailed(SshFailure failure) {
    if (keyFailure == null) {
      keyFailure = failure;
    }
  }

  public SshFailure keyFailure() {
    return keyFailure;
  }

  public synchronized void offered(String keyFile) {
    offered.add(keyFile);
  }

  public synchronized void skipped(String reason) {
    skipped.add(reason);
  }

  public synchronized List<String> offeredKeys() {
    return List.copyOf(offered);
  }

  public synchronized List<String> skippedKeys() {
    return List.copyOf(skipped);
  }

  /** The methods the server listed in its last authentication failure. */
  public void serverMethods(List<String> methods) {
    serverMethods = methods == null ? List.of() : List.copyOf(methods);
  }

  public List<String> serverMethods() {
    return serverMethods;
  }

  public void prompted() {
    prompted = true;
  }

  public boolean wasPrompted() {
    return prompted;
  }
}
