package dev.tether.conformance.dap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The programs the DAP suite debugs, written identically under the client's LOCAL tree and the host's
 * REMOTE tree (as a checkout and its copy on the host), with the lines tests stop at.
 */
final class DapPrograms {
  static final String PY = "py";
  static final String C = "c";
  static final int APP_ADD_LINE = 6;
  static final int APP_RETURN_LINE = 7;
  static final int APP_JOIN_LINE = 13;
  static final int APP_EXIT_CODE = 3;
  static final int TERM_LINE = 6;
  static final int PARENT_LINE = 7;
  static final int CHILD_LINE = 4;
  static final int C_LINE = 5;

  static final List<String> APP = List.of(
      "import os",
      "import sys",
      "",
      "",
      "def add(a, b):",
      "    total = a + b",
      "    return total",
      "",
      "",
      "def main():",
      "    x = add(1, 2)",
      "    print(\"result\", x, \"cwd\", os.getcwd())",
      "    p = os.path.join(\"a\", \"b\")",
      "    print(\"joined\", p)",
      "    return 3",
      "",
      "",
      "if __name__ == \"__main__\":",
      "    sys.exit(main())");

  static final List<String> TERM = List.of(
      "import os",
      "import sys",
      "",
      "with open(os.path.join(os.getcwd(), \"ran-here.txt\"), \"w\") as f:",
      "    f.write(str(os.getpid()))",
      "print(\"in a terminal:\", sys.stdout.isatty())");

  static final List<String> PARENT = List.of(
      "import os",
      "import subprocess",
      "import sys",
      "",
      "here = os.path.dirname(os.path.abspath(__file__))",
      "child = subprocess.Popen([sys.executable, os.path.join(here, \"child.py\")])",
      "waiting = \"parent\"",
      "code = child.wait()",
      "print(\"parent saw child exit\", code)");

  static final List<String> CHILD = List.of(
      "import os",
      "",
      "value = 40 + 2",
      "print(\"child\", value, os.getpid())");

  static final List<String> C_PROGRAM = List.of(
      "#include <stdio.h>",
      "",
      "static int add(int a, int b) {",
      "  int total = a + b;",
      "  return total;",
      "}",
      "",
      "int main(void) {",
      "  int x = add(40, 2);",
      "  printf(\"x=%d\\n\", x);",
      "  return 0;",
      "}");

  private DapPrograms() {}

  static void write(Path local, Path remote) throws IOException {
    for (Path root : List.of(local, remote)) {
      Files.createDirectories(root.resolve(PY));
      Files.createDirectories(root.resolve(C));
      Files.write(root.resolve(PY).resolve("app.py"), APP);
      Files.write(root.resolve(PY).resolve("term.py"), TERM);
      Files.write(root.resolve(PY).resolve("parent.py"), PARENT);
      Files.write(root.resolve(PY).resolve("child.py"), CHILD);
      Files.write(root.resolve(C).resolve("prog.c"), C_PROGRAM);
    }
  }

  /** Compiles the C program on the host side with {@code cc -g} (so its debug info names host paths). */
  static Path compileOnHost(Path remote) throws IOException, InterruptedException {
    Path dir = remote.resolve(C);
    Process cc = new ProcessBuilder("cc", "-g", "-O0", "-o", "prog", "prog.c").directory(dir.toFile())
        .redirectErrorStream(true).start();
    String output = new String(cc.getInputStream().readAllBytes());
    if (cc.waitFor() != 0) {
      throw new AssertionError("cc -g prog.c failed: " + output);
    }
    return dir.resolve("prog");
  }
}
