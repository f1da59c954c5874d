package dev.tether.conformance.lsp;

import dev.tether.local.ssh.MinaSshServer;
import dev.tether.local.ssh.SshServerFixture;

/** The remote LSP suite against MINA SSHD in this JVM (exec runs real processes, SFTP the real disk). */
class MinaSshRemoteLspTest extends RemoteLspSuite {
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
