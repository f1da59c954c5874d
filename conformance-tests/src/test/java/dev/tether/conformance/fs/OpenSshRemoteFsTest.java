package dev.tether.conformance.fs;

import dev.tether.local.ssh.OpenSshServer;
import dev.tether.local.ssh.SshServerFixture;

/** The remote file-system suite against Debian's OpenSSH sshd on 127.0.0.1. */
class OpenSshRemoteFsTest extends RemoteFsSuite {
  @Override
  SshServerFixture startServer() {
    return OpenSshServer.start();
  }
}
