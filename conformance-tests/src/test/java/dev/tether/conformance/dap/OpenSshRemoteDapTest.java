package dev.tether.conformance.dap;

import dev.tether.local.ssh.OpenSshServer;
import dev.tether.local.ssh.SshServerFixture;

/** The remote DAP suite against Debian's OpenSSH sshd on 127.0.0.1. */
class OpenSshRemoteDapTest extends RemoteDapSuite {
  @Override
  SshServerFixture startServer() {
    return OpenSshServer.start();
  }
}
