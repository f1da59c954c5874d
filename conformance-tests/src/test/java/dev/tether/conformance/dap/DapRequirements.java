package dev.tether.conformance.dap;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real debug adapters and tools the DAP suite drives. A missing one is a FAILURE naming the Debian
 * package to install, never a skip.
 */
final class DapRequirements {
  private DapRequirements() {}

  static void check() {
    require(runs(List.of("/usr/bin/python3", "-c", "import debugpy")),
        "debugpy is not importable by /usr/bin/python3: apt-get install python3-debugpy");
    require(Files.isExecutable(Path.of("/usr/bin/lldb-dap-19")) || Files.isExecutable(Path.of("/usr/bin/lldb-dap")),
        "lldb-dap is not installed: apt-get install lldb-19");
    require(runs(List.of("cc", "--version")), "no C compiler (cc): apt-get install gcc");
  }

  private static void require(boolean present, String message) {
    if (!present) {
      throw new AssertionError(message);
    }
  }

  private static boolean runs(List<String> argv) {
    try {
      Process p = new ProcessBuilder(argv).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (Exception e) {
      return false;
    }
  }
}
