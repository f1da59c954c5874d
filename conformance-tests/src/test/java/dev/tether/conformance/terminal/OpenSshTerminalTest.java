package dev.tether.conformance.terminal;

import dev.tether.local.ssh.OpenSshServer;
import dev.tether.local.ssh.SshServerFixture;

/** Terminals and processes through Debian's OpenSSH sshd on 127.0.0.1. */
class OpenSshTerminalTest extends RemoteTerminalSuite {
  @Override
  SshServerFixture startServer() {
    return OpenSshServer.start();
  }
}
