package dev.tether.conformance.ext;

import dev.tether.local.ssh.MinaSshServer;
import dev.tether.local.ssh.SshServerFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Workspace extensions through MINA SSHD in this JVM. */
class MinaSshExtensionTest extends ExtensionSuite {
  static final String HOST_ALIAS = "tether-ext-host";
  private SshServerFixture server;
  private Path sshConfig;

  @Override
  List<String> destination() {
    return List.of(HOST_ALIAS, "-F", sshConfig.toString());
  }

  @Override
  void startHost(Path base) throws IOException {
    server = MinaSshServer.start();
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
