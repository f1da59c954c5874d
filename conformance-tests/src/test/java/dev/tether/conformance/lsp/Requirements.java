package dev.tether.conformance.lsp;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The real language servers these tests drive. A missing one is a FAILURE naming the Debian package
 * to install, never a skip: the suite proves nothing without them.
 */
public final class Requirements {
  private Requirements() {
  }

  public static void languageServers() {
    require(Files.isExecutable(Path.of("/usr/bin/pylsp")), "pylsp is not installed: apt-get install python3-pylsp");
    require(python3Imports("pyflakes"), "pyflakes (pylsp's linter, which reports undefined names) is not installed "
        + "for /usr/bin/python3: apt-get install python3-pyflakes");
    require(Files.isExecutable(Path.of("/usr/bin/clangd")), "clangd is not installed: apt-get install clangd");
    require(Files.isRegularFile(Path.of("/usr/include/stdio.h")),
        "/usr/include/stdio.h is missing (clangd's go-to-definition target): apt-get install libc6-dev");
  }

  private static void require(boolean present, String message) {
    if (!present) {
      throw new AssertionError(message);
    }
  }

  private static boolean python3Imports(String module) {
    try {
      Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import " + module)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .start();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (Exception e) {
      return false;
    }
  }
}
