package dev.tether.local.ssh.internal;

import java.util.List;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKey;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.util.buffer.Buffer;

/**
 * MINA's public-key method, plus a note on the {@link HopAttempt} of which methods the server said
 * it accepts, so an authentication failure can name them. Called on a MINA I/O thread.
 */
public final class RecordingPublicKeyAuthFactory extends UserAuthPublicKeyFactory {
  private final HopAttempt attempt;

  public RecordingPublicKeyAuthFactory(HopAttempt attempt) {
    this.attempt = attempt;
  }

  @Override
  public UserAuthPublicKey createUserAuth(ClientSession session) {
    return new UserAuthPublicKey(getSignatureFactories()) {
      @Override
      public void signalAuthMethodFailure(ClientSession s, String service, boolean partial,
          List<String> serverMethods, Buffer buffer) throws Exception {
        attempt.serverMethods(serverMethods);
        super.signalAuthMethodFailure(s, service, partial, serverMethods, buffer);
      }
    };
  }
}
