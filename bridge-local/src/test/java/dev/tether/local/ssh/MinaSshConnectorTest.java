package dev.tether.local.ssh;

/** {@link SshConnectorContract} against the in-process MINA server ({@link EmbeddedSshServer}). */
class MinaSshConnectorTest extends SshConnectorContract {
  @Override
  protected SshServerFixture startServer() {
    return MinaSshServer.start();
  }
}
