package dev.tether.remote.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The unit file `service install` writes (there is no systemd user manager where the tests run: --no-start). */
class UserServiceTest {
  @TempDir
  Path home;

  @Test
  void installWritesARestartingUnitRunningServeWithTheOptionsAndUninstallRemovesIt() throws Exception {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    UserService service = new UserService(home, home.resolve(".config"), new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(0, service.run(new String[] {"service", "install", "--no-start", "--listen", "127.0.0.1:7420",
        "--allow-origin", "https://ide.example"}));
    String unit = Files.readString(service.unitFile());
    assertTrue(service.unitFile().startsWith(home.resolve(".config/systemd/user")), service.unitFile().toString());
    assertTrue(unit.contains("Restart=always"), unit);
    assertTrue(unit.contains("\"serve\" \"--listen\" \"127.0.0.1:7420\" \"--allow-origin\" \"https://ide.example\""), unit);
    assertTrue(unit.contains("\"-jar\""), unit);
    assertTrue(unit.contains("WantedBy=default.target"), unit);
    assertFalse(unit.contains("--no-start"), unit);

    service.run(new String[] {"service", "uninstall"});
    assertFalse(Files.exists(service.unitFile()));
  }

  @Test
  void installRefusesServeOptionsThatCouldNotStart() {
    UserService service = new UserService(home, home.resolve(".config"), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> service.run(new String[] {"service", "install", "--no-start", "--listen", "0.0.0.0:7420"}));
    assertTrue(e.getMessage().contains("loopback"), e.getMessage());
    assertFalse(Files.exists(service.unitFile()), "no unit for options that fail");
  }

  @Test
  void systemdSpecialCharactersAreQuoted() {
    assertEquals("\"a b\"", UserService.quote("a b"));
    assertEquals("\"100%% \\\"x\\\" $$HOME\"", UserService.quote("100% \"x\" $HOME"));
  }
}
