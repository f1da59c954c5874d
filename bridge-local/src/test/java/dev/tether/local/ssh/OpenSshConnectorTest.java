package dev.tether.local.ssh;

/** {@link SshConnectorContract} against Debian's OpenSSH server. */
class OpenSshConnectorTest extends SshConnectorContract {
  @Override
  protected SshServerFixture startServer() {
    return OpenSshServer.start();
  }
}
