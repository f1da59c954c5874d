package dev.tether.local.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sessions this daemon holds with hosts, one file per session in its private runtime directory
 * ({@code sessions/ID}, holding the host's key), so that the next daemon can have each host close
 * the ones a daemon killed with SIGKILL left: the host cannot tell that death from a dropped
 * connection and would keep each such session, language servers and terminals running, for its
 * whole resume window, for a resume that nobody can make.
 *
 * <p>Only the daemon that holds the daemon lock uses the directory, so whatever is there when it
 * starts was left by a daemon that is gone. Threading: any thread.
 */
final class SessionRecords {
  private static final Logger LOG = LoggerFactory.getLogger(SessionRecords.class);

  private final Path dir;
  /** Session ids a dead daemon left, by host key; taken once, on the first connection to each host. */
  private final Map<String, List<String>> orphaned;

  private SessionRecords(Path dir, Map<String, List<String>> orphaned) {
    this.dir = dir;
    this.orphaned = orphaned;
  }

  /** Records nothing: for a daemon without a runtime directory of its own. */
  static SessionRecords none() {
    return new SessionRecords(null, new HashMap<>());
  }

  /** Reads (and deletes) what a previous daemon left in {@code dir}; the caller holds the daemon lock. */
  static SessionRecords open(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectory(dir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
          java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
    }
    Map<String, List<String>> orphaned = new HashMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.toList()) {
        String id = file.getFileName().toString();
        if (id.matches("[0-9a-f]{1,64}")) {
          String hostKey = Files.readString(file, StandardCharsets.UTF_8);
          orphaned.computeIfAbsent(hostKey, k -> new ArrayList<>()).add(id);
        }
        Files.deleteIfExists(file);
      }
    }
    if (!orphaned.isEmpty()) {
      LOG.info("sessions a previous daemon left, to be closed on the next connection to their host: {}", orphaned);
    }
    return new SessionRecords(dir, orphaned);
  }

  /** This daemon now holds session {@code id} with the host {@code hostKey}. */
  void held(String hostKey, String id) {
    if (dir == null || !id.matches("[0-9a-f]{1,64}")) {
      return;
    }
    try {
      Files.writeString(dir.resolve(id), hostKey, StandardCharsets.UTF_8);
    } catch (IOException e) {
      LOG.warn("cannot record session {}: {}", id, e.getMessage());
    }
  }

  /** Session {@code id} is over (closed by either side, or not resumable). */
  void ended(String id) {
    if (dir == null || !id.matches("[0-9a-f]{1,64}")) {
      return;
    }
    try {
      Files.deleteIfExists(dir.resolve(id));
    } catch (IOException e) {
      LOG.warn("cannot remove the record of session {}: {}", id, e.getMessage());
    }
  }

  /** The sessions a dead daemon left with {@code hostKey}, once: later calls return none. */
  synchronized List<String> takeOrphaned(String hostKey) {
    List<String> ids = orphaned.remove(hostKey);
    return ids == null ? List.of() : ids;
  }
}
