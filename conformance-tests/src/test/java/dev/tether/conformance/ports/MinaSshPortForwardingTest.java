package dev.tether.conformance.ports;

import dev.tether.local.ssh.MinaSshServer;
import dev.tether.local.ssh.SshServerFixture;

/** The port-forwarding suite against MINA SSHD in this JVM (exec runs the agent as a real process). */
class MinaSshPortForwardingTest extends PortForwardingSuite {
  @Override
  SshServerFixture startServer() {
    return MinaSshServer.start();
  }

  /** MINA runs commands as children of this JVM. */
  @Override
  ProcessHandle serverProcess() {
    return ProcessHandle.current();
  }
}
