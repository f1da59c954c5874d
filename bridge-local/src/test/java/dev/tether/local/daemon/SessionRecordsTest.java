package dev.tether.local.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionRecordsTest {
  @TempDir
  Path runtime;

  @Test
  void aKilledDaemonsSessionsAreHandedToTheNextDaemonOncePerHost() throws Exception {
    Path dir = runtime.resolve("sessions");
    SessionRecords killed = SessionRecords.open(dir);
    killed.held("alice@build-box", "0a1b2c");
    killed.held("alice@build-box", "ffee01");
    killed.held("other-host", "123456");
    killed.held("other-host", "../../escape"); // not a session id: never a file name
    // no ended(): SIGKILL

    SessionRecords next = SessionRecords.open(dir);
    assertEquals(List.of("0a1b2c", "ffee01"), next.takeOrphaned("alice@build-box").stream().sorted().toList());
    assertEquals(List.of(), next.takeOrphaned("alice@build-box"), "taken once");
    assertEquals(List.of("123456"), next.takeOrphaned("other-host"));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
    try (var files = Files.list(dir)) {
      assertEquals(0, files.count(), "the next daemon starts with a clean directory");
    }
  }

  @Test
  void aSessionThatEndedLeavesNoRecord() throws Exception {
    Path dir = runtime.resolve("sessions");
    SessionRecords daemon = SessionRecords.open(dir);
    daemon.held("host", "abcdef");
    daemon.ended("abcdef");
    assertEquals(List.of(), SessionRecords.open(dir).takeOrphaned("host"));
    assertFalse(Files.exists(dir.resolve("abcdef")));
  }

  @Test
  void reasonsShownToEditorsNameNoLibraryInternals() {
    assertEquals("the connection broke while sending", RemoteSessions.forUsers(
        "write failed: Already closed: RemoteWindow[client](ChannelExec[id=2, recipient=0]-ClientSessionImpl[root@/127.0.0.1:1])"));
    assertEquals("the connection broke while receiving", RemoteSessions.forUsers("read failed: Connection reset"));
    assertEquals("the transport ended (ssh host)", RemoteSessions.forUsers("the transport ended (ssh host)"));
  }
}
