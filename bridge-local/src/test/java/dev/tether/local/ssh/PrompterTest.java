package dev.tether.local.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrompterTest {
  @Test
  void askpassRunsTheProgramWithThePromptAndReadsItsStdout(@TempDir Path tmp) throws Exception {
    Path seen = tmp.resolve("seen");
    Path askpass = SshTestSupport.script(tmp.resolve("askpass"), "printf '%s' \"$1\" > " + seen + "\necho 's3cret'");
    SshEnvironment env = SshEnvironment.of(tmp, Map.of("SSH_ASKPASS", askpass.toString()));
    Prompter p = Prompter.forEnvironment(env);
    assertInstanceOf(AskpassPrompter.class, p);
    assertEquals("s3cret", p.prompt("Passphrase for x: ", false));
    assertEquals("Passphrase for x: ", Files.readString(seen));
  }

  @Test
  void askpassFailureMeansCancelled(@TempDir Path tmp) {
    Path askpass = SshTestSupport.script(tmp.resolve("askpass"), "exit 1");
    assertNull(new AskpassPrompter(askpass.toString(), SshEnvironment.of(tmp, Map.of())).prompt("q", false));
  }

  @Test
  void missingAskpassProgramIsAClearFailure(@TempDir Path tmp) {
    SshFailure f = assertThrows(SshFailure.class,
        () -> new AskpassPrompter(tmp.resolve("nope").toString(), SshEnvironment.of(tmp, Map.of())).prompt("q", false));
    assertEquals(SshFailure.Kind.NO_PROMPTER, f.kind());
    assertTrue(f.getMessage().contains("SSH_ASKPASS"), f.getMessage());
  }

  @Test
  void withoutConsoleOrAskpassNobodyCanBeAsked(@TempDir Path tmp) {
    Prompter p = Prompter.forEnvironment(SshEnvironment.of(tmp, Map.of()));
    assertFalse(p.isAvailable());
    SshFailure f = assertThrows(SshFailure.class, () -> p.prompt("Password: ", false));
    assertEquals(SshFailure.Kind.NO_PROMPTER, f.kind());
    assertTrue(f.getMessage().contains("set SSH_ASKPASS"), f.getMessage());
  }

  @Test
  void consoleIsPreferredWhenAttached(@TempDir Path tmp) {
    SshEnvironment env = SshEnvironment.of(tmp, Map.of("SSH_ASKPASS", "/bin/true")).withConsole(true);
    assertInstanceOf(ConsolePrompter.class, Prompter.forEnvironment(env));
  }
}
