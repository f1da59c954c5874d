package dev.tether.conformance.dap;

import dev.tether.local.ssh.MinaSshServer;
import dev.tether.local.ssh.SshServerFixture;

/** The remote DAP suite against MINA SSHD in this JVM. */
class MinaSshRemoteDapTest extends RemoteDapSuite {
  @Override
  SshServerFixture startServer() {
    return MinaSshServer.start();
  }
}
