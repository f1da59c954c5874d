package dev.tether.conformance.ext;

import dev.tether.local.ssh.OpenSshServer;
import dev.tether.local.ssh.SshServerFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Workspace extensions through OpenSSH (Debian's sshd) on 127.0.0.1. */
class OpenSshExtensionTest extends ExtensionSuite {
  static final String HOST_ALIAS = "tether-ext-host";
  private SshServerFixture server;
  private Path sshConfig;

  @Override
  List<String> destination() {
    return List.of(HOST_ALIAS, "-F", sshConfig.toString());
  }

  @Override
  void startHost(Path base) throws IOException {
    server = OpenSshServer.start();
    sshConfig = base.resolve("ssh_config");
    Files.writeString(sshConfig, String.join("\n", server.hostConfig(HOST_ALIAS, base.resolve("known_hosts"))));
  }

  @Override
  void stopHost() {
    if (server != null) {
      server.close();
    }
  }
}
