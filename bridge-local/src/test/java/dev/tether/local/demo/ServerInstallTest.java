package dev.tether.local.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tether.local.TetherException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The demo's install decision against a scripted machine: what is on the PATH, who we are, what exits how. */
class ServerInstallTest {
  /** A machine whose programs, uid and exit statuses the test sets; it records every command run. */
  static final class ScriptedMachine implements ServerInstall.Machine {
    final Set<String> programs;
    final boolean root;
    final Map<String, Integer> exits = new HashMap<>();
    final List<String> ran = new ArrayList<>();

    ScriptedMachine(boolean root, String... programs) {
      this.root = root;
      this.programs = Set.of(programs);
    }

    ScriptedMachine exits(String command, int status) {
      exits.put(command, status);
      return this;
    }

    @Override
    public Optional<Path> which(String name) {
      return programs.contains(name) ? Optional.of(Path.of("/usr/bin", name)) : Optional.empty();
    }

    @Override
    public boolean isRoot() {
      return root;
    }

    @Override
    public int run(List<String> command) {
      String line = String.join(" ", command);
      ran.add(line);
      return exits.getOrDefault(line, 0);
    }
  }

  private static String install(ScriptedMachine machine) throws Exception {
    ServerInstall installer = new ServerInstall(machine);
    StringWriter said = new StringWriter();
    installer.install(installer.plan(), new PrintWriter(said, true));
    return said.toString();
  }

  @Test
  void rootInstallsTheOnePackageWithAptAfterSayingSo() throws Exception {
    ScriptedMachine machine = new ScriptedMachine(true, "apt-get", "sudo");
    String said = install(machine);
    assertEquals(List.of("apt-get update -q", "apt-get install -y -q python3-pylsp"), machine.ran);
    assertEquals("tether demo: neither pylsp nor clangd is installed; installing python3-pylsp (as root):"
        + " apt-get update -q && apt-get install -y -q python3-pylsp\n", said);
  }

  @Test
  void aUserWithPasswordlessSudoInstallsThroughSudoN() throws Exception {
    ScriptedMachine machine = new ScriptedMachine(false, "dnf", "sudo");
    String said = install(machine);
    assertEquals(List.of("sudo -n true", "sudo -n dnf install -y python3-lsp-server"), machine.ran);
    assertTrue(said.contains("installing python3-lsp-server (with sudo): sudo -n dnf install -y python3-lsp-server"), said);
  }

  @Test
  void aUserWhoseSudoWantsAPasswordGetsTheExactCommandAndNothingIsInstalled() throws Exception {
    ScriptedMachine machine = new ScriptedMachine(false, "apt-get", "sudo").exits("sudo -n true", 1);
    TetherException refused = assertThrows(TetherException.class, () -> new ServerInstall(machine).plan());
    assertEquals(List.of("sudo -n true"), machine.ran, "only the probe ran");
    assertEquals("neither pylsp nor clangd is installed, and installing one needs root: run"
        + " sudo apt-get update -q && sudo apt-get install -y -q python3-pylsp (or install clangd), then tether demo again",
        refused.getMessage());
  }

  @Test
  void aUserWithoutSudoGetsTheExactCommandWithoutAProbe() throws Exception {
    ScriptedMachine machine = new ScriptedMachine(false, "pacman");
    TetherException refused = assertThrows(TetherException.class, () -> new ServerInstall(machine).plan());
    assertEquals(List.of(), machine.ran);
    assertTrue(refused.getMessage().contains("run sudo pacman -S --needed --noconfirm python-lsp-server "),
        refused.getMessage());
  }

  @Test
  void anUnknownPackageManagerIsNamedAndNothingRuns() {
    ScriptedMachine machine = new ScriptedMachine(true, "sudo", "zypper");
    TetherException refused = assertThrows(TetherException.class, () -> new ServerInstall(machine).plan());
    assertEquals(List.of(), machine.ran);
    assertTrue(refused.getMessage().contains("has none of apt-get, dnf, pacman, apk"), refused.getMessage());
  }

  @Test
  void aFailedStepStopsTheRestAndIsNamed() throws Exception {
    ScriptedMachine machine = new ScriptedMachine(true, "apt-get").exits("apt-get update -q", 100);
    TetherException failed = assertThrows(TetherException.class, () -> install(machine));
    assertEquals(List.of("apt-get update -q"), machine.ran, "install is not attempted after a failed update");
    assertEquals("apt-get update -q failed (status 100); nothing else was run", failed.getMessage());
  }
}
