package dev.tether.adapters.dap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tether.adapters.catalog.DebugAdapter;
import dev.tether.adapters.catalog.ServerCatalog;
import dev.tether.adapters.dap.remote.AdapterLocator;
import dev.tether.adapters.dap.remote.AdapterLocator.AdapterMissingException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Against this machine's real programs (Debian's python3-debugpy, lldb-19 and gdb 13, as run-tests installs). */
class AdapterLocatorTest {
  private final ServerCatalog catalog = ServerCatalog.builtIn();

  @Test
  void debugpyIsFoundWithAPythonThatImportsIt() throws AdapterMissingException {
    assertEquals(List.of("/usr/bin/python3", "-m", "debugpy.adapter"), AdapterLocator.locate(catalog.debugAdapter("debugpy")));
  }

  @Test
  void aPythonWithoutDebugpySaysWhatToInstall() {
    DebugAdapter noSite = new DebugAdapter("debugpy", List.of("/usr/bin/python3", "-S", "-m", "debugpy.adapter"),
        List.of("python"), List.of(), List.of("{program}", "-S", "-c", "import debugpy"), "python3-debugpy", List.of("program"));
    String message = assertThrows(AdapterMissingException.class, () -> AdapterLocator.locate(noSite)).getMessage();
    assertTrue(message.contains("No module named 'debugpy'") && message.contains("apt-get install python3-debugpy"), message);
  }

  @Test
  void lldbDapIsFoundUnderItsVersionedName() throws AdapterMissingException {
    String program = AdapterLocator.locate(catalog.debugAdapter("lldb-dap")).get(0);
    assertTrue(program.matches(".*/lldb-dap(-[0-9]+)?"), program);
  }

  @Test
  void aMissingProgramNamesThePackage() {
    DebugAdapter missing = new DebugAdapter("delve", List.of("dlv-not-installed-here", "dap"), List.of("go"),
        List.of(), List.of(), "delve", List.of("program"));
    String message = assertThrows(AdapterMissingException.class, () -> AdapterLocator.locate(missing)).getMessage();
    assertEquals("debug adapter delve is not installed on the host (looked for dlv-not-installed-here on the agent's "
        + "PATH); install delve there (Debian: apt-get install delve), or name its full command in "
        + "~/.config/tether/servers.json on the host", message);
  }
}
