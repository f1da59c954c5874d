package dev.tether.local.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SshDestinationTest {
  @Test
  void parsesUserHostAndPort() {
    assertEquals(new SshDestination("alice", "example.org", 2222), SshDestination.parse("alice@example.org:2222"));
    assertEquals(new SshDestination(null, "example.org", -1), SshDestination.parse("example.org"));
    assertEquals(new SshDestination("bob", "host", -1), SshDestination.parse("bob@host"));
  }

  @Test
  void aliasIsJustAHostUntilResolved() {
    assertEquals(new SshDestination(null, "devbox", SshDestination.NO_PORT), SshDestination.parse("devbox"));
  }

  @Test
  void parsesSshUris() {
    assertEquals(new SshDestination("carol", "h.example", 22), SshDestination.parse("ssh://carol@h.example:22"));
    assertEquals(new SshDestination(null, "h.example", -1), SshDestination.parse("ssh://h.example"));
    assertEquals(new SshDestination(null, "h.example", -1), SshDestination.parse("SSH://h.example/"));
    assertEquals(new SshDestination("u", "::1", 2200), SshDestination.parse("ssh://u@[::1]:2200"));
  }

  @Test
  void userMayContainAtSignsBeforeTheLastOne() {
    assertEquals(new SshDestination("first.last@corp", "host", -1), SshDestination.parse("first.last@corp@host"));
  }

  @Test
  void parsesIpv6Literals() {
    assertEquals(new SshDestination("u", "::1", 2222), SshDestination.parse("u@[::1]:2222"));
    assertEquals(new SshDestination(null, "fe80::1", -1), SshDestination.parse("fe80::1"));
    assertEquals(new SshDestination(null, "::1", -1), SshDestination.parse("[::1]"));
  }

  @Test
  void printsCanonicalForm() {
    assertEquals("u@[::1]:2222", new SshDestination("u", "::1", 2222).toString());
    assertEquals("h", new SshDestination(null, "h", -1).toString());
  }

  @Test
  void rejectsMalformedDestinationsAsUsageErrors() {
    for (String bad : new String[] {"", "user@", "host:0", "host:99999", "host:abc", "@host", "[::1", "ssh://h/path"}) {
      SshFailure f = assertThrows(SshFailure.class, () -> SshDestination.parse(bad), bad);
      assertEquals(SshFailure.Kind.USAGE, f.kind(), bad);
      assertEquals(2, f.exitCode());
    }
  }
}
