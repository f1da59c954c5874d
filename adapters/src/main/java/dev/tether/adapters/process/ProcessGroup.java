package dev.tether.adapters.process;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A process the agent started in a session of its own ({@code setsid}, or the PTY's fork for a
 * terminal), together with everything it starts: ended as one, so that a double-forked child
 * ({@code (sleep 1000 &)}) does not escape as it would from a {@code descendants()} snapshot. The
 * members are found in {@code /proc} by their session id, which a child keeps across forks, across
 * the exit of its parent and across process-group changes (a shell's job control), unless it calls
 * {@code setsid} itself, as a daemon does on purpose.
 *
 * <p>While a {@linkplain #recordIn record directory} is set (the agent daemon sets
 * {@code ~/.tether/run/<socket>.groups}), each group is recorded there as one file named by its
 * leader's pid holding the leader's start time, and removed when the group has ended; a daemon that
 * was killed leaves its records, and the next one {@linkplain #reapRecorded reaps} what they name.
 * The kernel does not reuse a pid while a process still has it as its session id, and the start time
 * tells a reused leader pid apart, so a record never ends a stranger's processes.
 *
 * <p>Threading: thread-safe; {@link #end} blocks for up to the grace period plus a few seconds.
 */
public final class ProcessGroup {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessGroup.class);
  private static final String SETSID = new File("/usr/bin/setsid").canExecute() ? "/usr/bin/setsid"
      : new File("/bin/setsid").canExecute() ? "/bin/setsid" : null;
  /** After SIGKILL, how long the group may take to disappear from {@code /proc}. */
  private static final Duration KILL_WAIT = Duration.ofSeconds(5);
  private static volatile Path recordDir;

  private final long leader;
  private final long startTime;

  private ProcessGroup(long leader, long startTime) {
    this.leader = leader;
    this.startTime = startTime;
  }

  /**
   * The launcher that puts a command in a session and process group of its own: prepend it to the
   * argv. Empty on a host without {@code setsid}; such processes are then ended as a process tree.
   */
  public static List<String> launcher() {
    return SETSID == null ? List.of() : List.of(SETSID);
  }

  /**
   * Starts {@code command} through {@link #launcher()} in {@code cwd} (null: the agent's) with
   * {@code env} added (null: none), after checking that its program exists: behind {@code setsid} a
   * missing program would only show as exit status 127. Call {@link #started} on the result.
   */
  public static Process start(List<String> command, String cwd, java.util.Map<String, String> env) throws IOException {
    String program = command.get(0);
    LoginShell.requireProgram(program.contains("/") && !program.startsWith("/") && cwd != null ? cwd + "/" + program : program,
        env != null && env.containsKey("PATH") ? env.get("PATH") : System.getenv("PATH"));
    List<String> argv = new java.util.ArrayList<>(launcher());
    argv.addAll(command);
    ProcessBuilder builder = new ProcessBuilder(argv);
    if (cwd != null) {
      File directory = new File(cwd);
      if (!directory.isDirectory()) {
        throw new IOException("working directory " + cwd + " does not exist");
      }
      builder.directory(directory);
    }
    if (env != null) {
      builder.environment().putAll(env);
    }
    return builder.start();
  }

  /** Records the groups started from now on in {@code directory} (created 0700); null stops recording. */
  public static void recordIn(Path directory) throws IOException {
    if (directory != null) {
      Files.createDirectories(directory);
      Files.setPosixFilePermissions(directory, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    }
    recordDir = directory;
  }

  /** The group led by {@code process}, which was started through {@link #launcher()} or a PTY; recorded. */
  public static ProcessGroup started(Process process) {
    long pid = process.pid();
    ProcessGroup group = new ProcessGroup(pid, stat(pid).map(Stat::startTime).orElse(-1L));
    group.record();
    return group;
  }

  public long leader() {
    return leader;
  }

  /** The pids of the processes still in this group's session (the leader included while it lives). */
  public List<Long> members() {
    return members(leader);
  }

  /**
   * SIGTERM to every member, up to {@code grace} for them to leave, then SIGKILL to whatever is left
   * (repeated, since a member may fork meanwhile); forgets the record once the group is gone.
   */
  public void end(Duration grace) {
    Optional<Stat> now = stat(leader);
    if (now.isPresent() && now.get().startTime() != startTime) {
      // The pid was reused, which the kernel allows only once no process has it as its session id:
      // our group is already gone, and the session of that number is someone else's.
      forget();
      return;
    }
    if (now.isPresent() && now.get().session() != leader) {
      // Not (yet) a session leader: no setsid on this host, or killed before setsid ran. Its
      // session is ours, so never signal by session here; end the tree as before.
      ProcessHandle.of(leader).ifPresent(h -> ProcessTree.kill(h, grace));
    } else {
      endSession(leader, grace);
    }
    forget();
  }

  /** Ends the groups a previous daemon recorded in the record directory and did not see end. */
  public static int reapRecorded() {
    Path dir = recordDir;
    if (dir == null) {
      return 0;
    }
    int reaped = 0;
    try (DirectoryStream<Path> records = Files.newDirectoryStream(dir)) {
      for (Path record : records) {
        reaped += reap(record) ? 1 : 0;
      }
    } catch (IOException e) {
      LOG.warn("cannot read the process records in {}: {}", dir, e.getMessage());
    }
    return reaped;
  }

  private static boolean reap(Path record) {
    try {
      long pid = Long.parseLong(record.getFileName().toString());
      long recordedStart = Long.parseLong(Files.readString(record, StandardCharsets.US_ASCII).strip());
      Optional<Stat> now = stat(pid);
      // A live process with that pid but another start time took a pid that no one held as a
      // session id any more: the recorded group is gone.
      boolean ours = now.isEmpty() || now.get().startTime() == recordedStart;
      boolean alive = ours && !members(pid).isEmpty();
      if (alive) {
        LOG.info("ending process group {} left by a previous agent daemon", pid);
        endSession(pid, Duration.ofSeconds(2));
      }
      Files.deleteIfExists(record);
      return alive;
    } catch (IOException | NumberFormatException e) {
      LOG.warn("ignoring the process record {}: {}", record, e.getMessage());
      return false;
    }
  }

  private static void endSession(long sid, Duration grace) {
    signalMembers(sid, false);
    if (awaitEmpty(sid, grace)) {
      return;
    }
    long deadline = System.nanoTime() + KILL_WAIT.toNanos();
    do {
      signalMembers(sid, true);
    } while (!awaitEmpty(sid, Duration.ofMillis(100)) && System.nanoTime() < deadline);
    if (!members(sid).isEmpty()) {
      LOG.warn("process group {} still has members {} after SIGKILL", sid, members(sid));
    }
  }

  private static void signalMembers(long sid, boolean kill) {
    for (long pid : members(sid)) {
      ProcessHandle.of(pid).ifPresent(kill ? ProcessHandle::destroyForcibly : ProcessHandle::destroy);
    }
  }

  /** Polls {@code /proc} (there is no event for "a session emptied") until no member is left or the time is up. */
  private static boolean awaitEmpty(long sid, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!members(sid).isEmpty()) {
      if (System.nanoTime() >= deadline) {
        return false;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return members(sid).isEmpty();
      }
    }
    return true;
  }

  /** Every process whose session id is {@code sid}; never the agent's own session. */
  static List<Long> members(long sid) {
    List<Long> found = new ArrayList<>();
    long self = ProcessHandle.current().pid();
    Optional<Stat> own = stat(self);
    if (own.isPresent() && own.get().session() == sid) {
      return found;
    }
    try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), p -> isNumber(p.getFileName().toString()))) {
      for (Path dir : proc) {
        long pid = Long.parseLong(dir.getFileName().toString());
        if (pid != self && stat(pid).map(s -> s.session() == sid && s.state() != 'Z').orElse(false)) {
          found.add(pid);
        }
      }
    } catch (IOException e) {
      LOG.debug("cannot list /proc: {}", e.getMessage());
    }
    return found;
  }

  private static boolean isNumber(String name) {
    return !name.isEmpty() && name.chars().allMatch(Character::isDigit);
  }

  /** The fields of {@code /proc/PID/stat} used here. */
  record Stat(char state, long session, long startTime) {}

  static Optional<Stat> stat(long pid) {
    try {
      String text = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
      // The command name (field 2) is in parentheses and may hold spaces or parentheses itself.
      String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
      return Optional.of(new Stat(fields[0].charAt(0), Long.parseLong(fields[3]), Long.parseLong(fields[19])));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private void record() {
    Path dir = recordDir;
    if (dir == null) {
      return;
    }
    try {
      Files.writeString(dir.resolve(Long.toString(leader)), Long.toString(startTime), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      LOG.warn("cannot record process group {} in {}: {}", leader, dir, e.getMessage());
    }
  }

  private void forget() {
    Path dir = recordDir;
    if (dir == null) {
      return;
    }
    try {
      Files.deleteIfExists(dir.resolve(Long.toString(leader)));
    } catch (IOException e) {
      LOG.debug("cannot remove the record of process group {}: {}", leader, e.getMessage());
    }
  }
}
