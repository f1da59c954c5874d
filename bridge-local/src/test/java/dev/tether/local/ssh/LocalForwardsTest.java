package dev.tether.local.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalForwardsTest {
  @TempDir
  Path dir;

  @Test
  void everyMatchingBlockContributesInFileOrder() throws IOException {
    Path config = Files.writeString(dir.resolve("config"), String.join("\n",
        "LocalForward 7000 localhost:70",
        "Host dev",
        "  HostName 10.0.0.5",
        "  LocalForward 8080 localhost:80",
        "  LocalForward=127.0.0.1:9090 db:5432",
        "Host other",
        "  LocalForward 1111 localhost:1",
        "Host d* !dx",
        "  LocalForward [::1]:6000 [fe80::1]:6001",
        "  LocalForward *:5000 localhost:5",
        "Match user bob",
        "  LocalForward 2222 localhost:2",
        ""));
    List<LocalForwards.Spec> specs = LocalForwards.read(config, "dev");
    assertEquals(List.of(
        new LocalForwards.Spec(null, 7000, "localhost", 70, "LocalForward 7000 localhost:70"),
        new LocalForwards.Spec(null, 8080, "localhost", 80, "LocalForward 8080 localhost:80"),
        new LocalForwards.Spec("127.0.0.1", 9090, "db", 5432, "LocalForward 127.0.0.1:9090 db:5432"),
        new LocalForwards.Spec("::1", 6000, "fe80::1", 6001, "LocalForward [::1]:6000 [fe80::1]:6001"),
        new LocalForwards.Spec("0.0.0.0", 5000, "localhost", 5, "LocalForward *:5000 localhost:5")), specs);
    assertEquals(1, LocalForwards.read(config, "dx").size(), "negated pattern: only the global line");
    assertEquals(List.of(), LocalForwards.read(dir.resolve("absent"), "dev"));
  }

  @Test
  void aBadLineNamesItselfAndTheFile() throws IOException {
    Path config = Files.writeString(dir.resolve("config"), "Host dev\n  LocalForward 8080 /tmp/socket\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LocalForwards.read(config, "dev"));
    assertTrue(e.getMessage().contains("bad 'LocalForward 8080 /tmp/socket' in " + config), e.getMessage());
  }
}
