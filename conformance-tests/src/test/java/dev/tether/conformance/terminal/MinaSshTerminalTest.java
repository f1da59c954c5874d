package dev.tether.conformance.terminal;

import dev.tether.local.ssh.MinaSshServer;
import dev.tether.local.ssh.SshServerFixture;

/** Terminals and processes through MINA SSHD in this JVM. */
class MinaSshTerminalTest extends RemoteTerminalSuite {
  @Override
  SshServerFixture startServer() {
    return MinaSshServer.start();
  }
}
