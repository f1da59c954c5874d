package dev.tether.local.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class HelpTest {
  @Test
  void everyCommandAnswersHelpWithItsUsageAloneAndExitsZero() {
    List<List<String>> commands = new ArrayList<>();
    collect(Tether.commandLine(), List.of(), commands);
    assertTrue(commands.size() > 20, "expected every command and subcommand, got " + commands);
    for (List<String> path : commands) {
      for (String flag : List.of("--help")) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Tether.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        List<String> args = new ArrayList<>(path);
        args.add(flag);
        int status = cli.execute(args.toArray(String[]::new));
        String what = "tether " + String.join(" ", args);
        assertEquals(0, status, what + " exited " + status + "; stderr: " + err);
        assertEquals("", err.toString(), what + " wrote to stderr");
        String name = path.stream().filter(word -> !word.equals("host")).reduce((a, b) -> a + " " + b).orElseThrow();
        assertTrue(out.toString().startsWith("Usage: tether " + name), what + " printed: " + out);
      }
    }
  }

  /**
   * Every command's path; a subcommand after its parent's required parameters, as it is typed
   * ({@code tether fs HOST ls --help}).
   */
  private static void collect(CommandLine command, List<String> path, List<List<String>> into) {
    command.getSubcommands().forEach((name, sub) -> {
      List<String> subPath = new ArrayList<>(path);
      subPath.add(name);
      into.add(subPath);
      List<String> parentArgs = new ArrayList<>(subPath);
      sub.getCommandSpec().positionalParameters().stream().filter(p -> p.required()).forEach(p -> parentArgs.add("host"));
      collect(sub, parentArgs, into);
    });
  }
}
