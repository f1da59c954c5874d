package dev.tether.conformance.ext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Workspace extensions with {@code local}: the agent as the daemon's child process, in a HOME of the test's own. */
class LocalExtensionTest extends ExtensionSuite {
  private Path home;

  @Override
  List<String> destination() {
    return List.of("local");
  }

  @Override
  void startHost(Path base) throws java.io.IOException {
    home = Files.createDirectories(base.resolve("home"));
  }

  @Override
  Map<String, String> daemonEnvironment() {
    return Map.of("HOME", home.toString());
  }

  @Override
  void stopHost() {}
}
