package dev.tether.conformance.editor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tether demo}, the README's first command, run as users run it (the built jar, the launcher's
 * agent-jar property): it must succeed, print only its report on stdout, go through every step with
 * the definition in the LOCAL copy, and leave nothing behind.
 */
class DemoTest {
  @TempDir
  Path tmp;

  @Test
  void theDemoRunsEveryStepAndCleansUp() throws Exception {
    require(Files.isExecutable(NeovimTest.PYLSP), "pylsp is not installed: apt-get install python3-pylsp");
    require(Files.isRegularFile(NeovimTest.TETHER_JAR), NeovimTest.TETHER_JAR + " is missing: mvn -DskipTests install");
    Path out = tmp.resolve("stdout");
    Path err = tmp.resolve("stderr");
    Process demo = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
        "-Dtether.agent.jar=" + NeovimTest.AGENT_JAR, "-jar", NeovimTest.TETHER_JAR.toString(), "demo")
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(out.toFile())
        .redirectError(err.toFile())
        .start();
    if (!demo.waitFor(120, TimeUnit.SECONDS)) {
      demo.descendants().forEach(ProcessHandle::destroyForcibly);
      demo.destroyForcibly();
      throw new AssertionError("tether demo did not finish within 120 s");
    }
    String report = Files.readString(out, StandardCharsets.UTF_8);
    assertEquals(0, demo.exitValue(), "exit status; stderr: " + Files.readString(err));
    assertEquals("", Files.readString(err), "nothing on stderr");
    for (String step : List.of("set up", "connect + install", "initialize", "didOpen main.py", "hover greet",
        "definition greet", "completion message.", "shutdown + exit", "clean up", "total")) {
      assertTrue(report.contains("\n  " + step + " "), "step '" + step + "' in:\n" + report);
    }
    assertTrue(report.contains("installing the agent"), report);
    assertTrue(report.contains("Return a friendly greeting for name."), report);
    assertTrue(report.contains("$D/local/app/greet.py:4 (the editor's copy)"), report);
    assertTrue(report.contains("tether lsp alice@build-box --map ~/src/app=/home/alice/app --server pylsp"), report);

    Matcher dir = Pattern.compile("\\$D = (\\S+)").matcher(report);
    assertTrue(dir.find(), report);
    assertFalse(Files.exists(Path.of(dir.group(1))), dir.group(1) + " was removed");
    Matcher daemon = Pattern.compile("daemon \\(pid (\\d+)\\) stopped").matcher(report);
    assertTrue(daemon.find(), report);
    assertFalse(ProcessHandle.of(Long.parseLong(daemon.group(1))).map(DemoTest::running).orElse(false),
        "the demo's daemon is gone");
  }

  /** Alive and not a zombie waiting for init to reap it (the daemon is nobody's child by then). */
  private static boolean running(ProcessHandle process) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
      return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
    } catch (Exception e) {
      return process.isAlive();
    }
  }

  private static void require(boolean present, String message) {
    if (!present) {
      throw new AssertionError(message);
    }
  }
}
