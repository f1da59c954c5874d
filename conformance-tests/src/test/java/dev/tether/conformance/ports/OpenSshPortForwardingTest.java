package dev.tether.conformance.ports;

import dev.tether.local.ssh.OpenSshServer;
import dev.tether.local.ssh.SshServerFixture;

/** The port-forwarding suite against Debian's OpenSSH sshd on 127.0.0.1. */
class OpenSshPortForwardingTest extends PortForwardingSuite {
  @Override
  SshServerFixture startServer() {
    return OpenSshServer.start();
  }

  /** sshd runs commands under its per-connection children. */
  @Override
  ProcessHandle serverProcess() {
    long pid = ((OpenSshServer) server).pid();
    return ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("sshd (pid " + pid + ") is not running"));
  }
}
