package dev.tether.local.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SshOptionsTest {
  @Test
  void optionKeysAreCaseInsensitiveAndTheFirstValueWins() {
    SshOptions o = SshOptions.builder().option("stricthostkeychecking=no").option("StrictHostKeyChecking=yes")
        .option("User bob").build();
    assertEquals(Optional.of("no"), o.option("StrictHostKeyChecking"));
    assertEquals(Optional.of("bob"), o.option("user"));
  }

  @Test
  void dashPWinsOverDashOPortAndDashJOverProxyJump() {
    SshOptions o = SshOptions.builder().option("Port=2200").port(2300).option("ProxyJump=a").jump("b,c").build();
    assertEquals(2300, o.port().getAsInt());
    assertEquals(Optional.of("b,c"), o.jump());
    SshOptions onlyO = SshOptions.builder().option("Port=2200").option("ProxyJump=a").build();
    assertEquals(2200, onlyO.port().getAsInt());
    assertEquals(Optional.of("a"), onlyO.jump());
  }

  @Test
  void identitiesKeepCommandLineOrder() {
    SshOptions o = SshOptions.builder().identity(Path.of("/k1")).identity(Path.of("/k2")).build();
    assertEquals(List.of(Path.of("/k1"), Path.of("/k2")), o.identities());
  }

  @Test
  void unknownOptionsAndBadValuesAreUsageErrors() {
    SshFailure unknown = assertThrows(SshFailure.class, () -> SshOptions.builder().option("StrictHostKeyCheking=no"));
    assertEquals(SshFailure.Kind.USAGE, unknown.kind());
    assertTrue(unknown.getMessage().contains("StrictHostKeyChecking"), unknown.getMessage());
    for (String bad : new String[] {"StrictHostKeyChecking=maybe", "Port=0", "ConnectTimeout=-1", "BatchMode=perhaps", "=x", "Port="}) {
      assertEquals(SshFailure.Kind.USAGE, assertThrows(SshFailure.class, () -> SshOptions.builder().option(bad), bad).kind());
    }
  }

  @Test
  void harmlessOpenSshOptionsAreAccepted() {
    SshOptions o = SshOptions.builder().option("ServerAliveInterval=30").option("ControlMaster=auto").build();
    assertEquals(Optional.of("30"), o.option("ServerAliveInterval"));
  }

  @Test
  void hostKeyCheckingValues() {
    assertEquals(HostKeyChecking.STRICT, HostKeyChecking.parse("yes"));
    assertEquals(HostKeyChecking.STRICT, HostKeyChecking.parse("ask"));
    assertEquals(HostKeyChecking.ACCEPT_NEW, HostKeyChecking.parse("accept-new"));
    assertEquals(HostKeyChecking.OFF, HostKeyChecking.parse("no"));
    assertEquals(HostKeyChecking.OFF, HostKeyChecking.parse("off"));
  }
}
