package dev.tether.conformance.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tether.adapters.fs.DirEntry;
import dev.tether.adapters.fs.FileChange;
import dev.tether.adapters.fs.FileStat;
import dev.tether.adapters.fs.FileSystemError;
import dev.tether.adapters.fs.FileSystemError.Kind;
import dev.tether.adapters.fs.FileType;
import dev.tether.adapters.fs.FsWire;
import dev.tether.adapters.fs.RemoteFileSystem;
import dev.tether.adapters.fs.SearchMatch;
import dev.tether.conformance.lsp.Processes;
import dev.tether.conformance.lsp.TetherCli;
import dev.tether.local.daemon.DaemonClient;
import dev.tether.local.daemon.DaemonPaths;
import dev.tether.local.daemon.RemoteSpec;
import dev.tether.local.ssh.Prompter;
import dev.tether.local.ssh.SshServerFixture;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The remote file system end to end: the real {@code tether fs} CLI and the {@link RemoteFileSystem}
 * client API, both through the real per-user daemon and a real SSH server on 127.0.0.1 (each
 * subclass brings one) to the real agent bootstrapped onto it. The "host" is this machine: LOCAL and
 * REMOTE are two temporary directories, so the tests check the host's disk directly.
 *
 * <p>Permission errors need an agent without root's override of file modes (tests run as root here
 * and in CI), so those tests reach the agent through {@code --via 'ssh HOST setpriv ...'}: the same
 * SSH server, the real {@code ssh} client, an agent whose DAC capabilities are dropped. The inotify
 * limit is likewise real: the agent runs in its own user namespace whose inotify watch limit is set low.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RemoteFsSuite {
  static final String HOST_ALIAS = "tether-fs-host";
  static final long GIB = 1L << 30;
  static final Duration BIG_TRANSFER = Duration.ofSeconds(180);
  static final Duration EVENTS_WAIT = Duration.ofSeconds(30);
  static final String ODD_NAME = "naïve café ☕ 日本 file.txt";
  static final String ODD_DIR = "dir with spaces ü";

  Path base;
  Path local;
  Path remote;
  Path sshConfig;
  SshServerFixture server;
  TetherCli tether;
  DaemonClient daemon;
  RemoteFileSystem fs;

  abstract SshServerFixture startServer();

  @BeforeAll
  void start() throws IOException {
    base = Files.createTempDirectory("tether-fs-");
    local = Files.createDirectories(base.resolve("local"));
    remote = Files.createDirectories(base.resolve("remote"));
    server = startServer();
    sshConfig = base.resolve("ssh_config");
    Files.writeString(sshConfig, String.join("\n", server.hostConfig(HOST_ALIAS, base.resolve("known_hosts"), "  LogLevel ERROR")));
    tether = new TetherCli(base.resolve("run"), base.resolve("cache"), base.resolve("logs"));
    // The CLI starts the daemon (and the session); the API tests then share that daemon.
    TetherCli.Result first = fsCli("mkdir", remote.resolve("started").toString());
    assertEquals(0, first.exit(), first.toString());
    daemon = DaemonClient.connect(new DaemonPaths(tether.runtimeDir()), false, line -> { }, Prompter.unavailable());
    fs = new RemoteFileSystem(daemon.opener(spec(null)));
  }

  @AfterEach
  void endCommands() {
    if (tether != null) {
      tether.endCommands();
    }
  }

  @AfterAll
  void stopEverything() {
    try {
      if (fs != null) {
        fs.close();
      }
      if (daemon != null) {
        daemon.close();
      }
      if (tether != null) {
        tether.close();
      }
    } finally {
      if (server != null) {
        server.close();
      }
      FsTrees.deleteTree(base);
    }
  }

  RemoteSpec spec(String via) {
    return new RemoteSpec(HOST_ALIAS, List.of("-F", sshConfig.toString()), via);
  }

  /** {@code tether fs -F CONFIG HOST ARGS...}, run to the end. */
  TetherCli.Result fsCli(String... args) {
    List<String> command = new ArrayList<>(List.of("fs", "-F", sshConfig.toString(), HOST_ALIAS));
    command.addAll(Arrays.asList(args));
    return tether.run(command.toArray(String[]::new));
  }

  Process fsCliPiped(String... args) {
    List<String> command = new ArrayList<>(List.of("fs", "-F", sshConfig.toString(), HOST_ALIAS));
    command.addAll(Arrays.asList(args));
    return tether.startPiped(local, command.toArray(String[]::new));
  }

  /**
   * {@code --via} running the agent on the host over the real ssh client, with {@code prefix} before
   * java (e.g. setpriv dropping capabilities).
   */
  String viaSsh(String prefix) {
    String agent = "env LC_ALL=C.UTF-8 " + prefix + " '" + Processes.java() + "' -XX:+UseSerialGC -Xmx256m -jar '" + TetherCli.AGENT_JAR + "' stdio";
    return "exec ssh -F '" + sshConfig + "' " + HOST_ALIAS + " \"exec " + agent.replace("\"", "\\\"").replace("$", "\\$") + "\"";
  }

  // ---- content ---------------------------------------------------------------------------------

  /** One GiB up with {@code put} from stdin and down with {@code get}, compared by SHA-256 at every step. */
  @Test
  void aGibibyteGoesBothWaysIntactThroughTheCli() throws Exception {
    Path remoteFile = remote.resolve("big.bin");
    Path localCopy = local.resolve("big-copy.bin");
    try {
      Process put = fsCliPiped("put", remoteFile.toString());
      CompletableFuture<String> putErr = drain(put.getErrorStream());
      String sent;
      try (OutputStream stdin = put.getOutputStream()) {
        sent = FsTrees.writeNumberedChunks(stdin, GIB);
      }
      assertEquals(0, awaitExit(put, BIG_TRANSFER), "tether fs put: " + putErr.get());
      assertEquals(GIB, Files.size(remoteFile));
      assertEquals(sent, FsTrees.sha256(remoteFile), "SHA-256 of the file put on the host");
      assertEquals(List.of(), FsTrees.leftovers(remote), "temporary files after put");

      Process get = fsCliPiped("get", remoteFile.toString(), localCopy.toString());
      get.getOutputStream().close();
      CompletableFuture<String> getErr = drain(get.getErrorStream());
      assertEquals(0, awaitExit(get, BIG_TRANSFER), "tether fs get: " + getErr.get());
      assertEquals(sent, FsTrees.sha256(localCopy), "SHA-256 of the copy fetched with get");
    } finally {
      Files.deleteIfExists(remoteFile);
      Files.deleteIfExists(localCopy);
    }
  }

  @Test
  void catStreamsToStdoutAndPutReadsStdinWithOddNames() throws Exception {
    Path dir = remote.resolve(ODD_DIR);
    Path file = dir.resolve(ODD_NAME);
    String content = "grüße, 世界\nline two\n";
    assertEquals(0, fsCli("mkdir", dir.toString()).exit());
    Process put = fsCliPiped("put", file.toString());
    try (OutputStream stdin = put.getOutputStream()) {
      stdin.write(content.getBytes(StandardCharsets.UTF_8));
    }
    CompletableFuture<String> err = drain(put.getErrorStream());
    assertEquals(0, awaitExit(put, TetherCli.EXIT_TIMEOUT), "put: " + err.get());
    assertEquals(content, FsTrees.read(file));

    TetherCli.Result cat = fsCli("cat", file.toString());
    assertEquals(0, cat.exit(), cat.toString());
    assertEquals(content, cat.stdout());

    TetherCli.Result ls = fsCli("ls", dir.toString());
    assertEquals(0, ls.exit(), ls.toString());
    assertEquals(List.of(ODD_NAME), ls.stdout().lines().toList());

    Path localFile = FsTrees.write(local.resolve("from local.txt"), "from a local file\n");
    assertEquals(0, fsCli("put", localFile.toString(), dir.resolve("copied.txt").toString()).exit());
    assertEquals("from a local file\n", FsTrees.read(dir.resolve("copied.txt")));

    TetherCli.Result stat = fsCli("stat", file.toString());
    assertTrue(stat.stdout().contains("type: file") && stat.stdout().contains("size: " + content.getBytes(StandardCharsets.UTF_8).length),
        stat.toString());

    Path moved = dir.resolve("moved ☕.txt");
    assertEquals(0, fsCli("mv", file.toString(), moved.toString()).exit());
    assertTrue(Files.exists(moved) && !Files.exists(file));
    assertEquals(0, fsCli("rm", "-r", dir.toString()).exit());
    assertFalse(Files.exists(dir));
  }

  /** The CLI's errors: one line naming the kind and the path, exit status 1, nothing half-written. */
  @Test
  void cliErrorsAreOneTypedLine() throws Exception {
    Path dir = Files.createDirectories(remote.resolve("cli-errors"));
    TetherCli.Result missing = fsCli("cat", dir.resolve("missing.txt").toString());
    assertEquals(1, missing.exit(), missing.toString());
    assertEquals("tether: FileNotFound: " + dir.resolve("missing.txt"), missing.stderr().strip());
    assertEquals("", missing.stdout());

    TetherCli.Result relative = fsCli("ls", "relative/path");
    assertEquals(1, relative.exit(), relative.toString());
    assertTrue(relative.stderr().strip().startsWith("tether: FileNotFound: relative/path"), relative.toString());

    Process onto = fsCliPiped("put", dir.toString());
    try (OutputStream stdin = onto.getOutputStream()) {
      stdin.write("x".getBytes(StandardCharsets.UTF_8));
    } catch (IOException exitedAlready) {
      // the refusal may come before we write
    }
    CompletableFuture<String> err = drain(onto.getErrorStream());
    assertEquals(1, awaitExit(onto, TetherCli.EXIT_TIMEOUT));
    assertEquals("tether: FileIsADirectory: " + dir, err.get().strip());
    assertEquals(List.of(), FsTrees.leftovers(remote));

    FsTrees.write(dir.resolve("full/a.txt"), "a");
    TetherCli.Result notEmpty = fsCli("rm", dir.resolve("full").toString());
    assertEquals(1, notEmpty.exit());
    assertTrue(notEmpty.stderr().startsWith("tether: FileIsADirectory: " + dir.resolve("full")), notEmpty.toString());
    assertTrue(Files.exists(dir.resolve("full/a.txt")));

    TetherCli.Result clobber = fsCli("mv", "-n", dir.resolve("full/a.txt").toString(), dir.resolve("full").toString());
    assertEquals(1, clobber.exit());
    assertTrue(clobber.stderr().startsWith("tether: FileExists: " + dir.resolve("full")), clobber.toString());
  }

  /** A put whose client dies midway: the daemon's channel to the agent ends, the agent removes its temp file. */
  @Test
  void aPutKilledMidwayLeavesNothing() throws Exception {
    Path dir = Files.createDirectories(remote.resolve("killed"));
    Path target = FsTrees.write(dir.resolve("kept.txt"), "old content");
    Process put = fsCliPiped("put", target.toString());
    drain(put.getErrorStream());
    OutputStream stdin = put.getOutputStream();
    byte[] chunk = new byte[FsTrees.CHUNK];
    for (int i = 0; i < 160; i++) {
      stdin.write(chunk);
    }
    stdin.flush();
    awaitCondition(() -> !FsTrees.leftovers(dir).isEmpty(), "the agent's temporary file while the put streams");
    Processes.endTree(put.toHandle());
    awaitCondition(() -> FsTrees.leftovers(dir).isEmpty(), "no temporary file after the put was killed: " + FsTrees.leftovers(dir));
    assertEquals("old content", FsTrees.read(target));
  }

  // ---- the client API --------------------------------------------------------------------------

  @Test
  void statReadDirMkdirCopyRenameDeleteRealpath() throws Exception {
    Path dir = remote.resolve("api").resolve(ODD_DIR);
    fs.mkdir(dir.resolve("a/b/c").toString());
    assertTrue(Files.isDirectory(dir.resolve("a/b/c")));
    fs.mkdir(dir.resolve("a/b/c").toString()); // mkdir -p: existing is fine
    Path file = FsTrees.write(dir.resolve(ODD_NAME), "12345");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
    Files.createSymbolicLink(dir.resolve("link"), file);

    FileStat stat = fs.stat(file.toString());
    assertEquals(FileType.file, stat.type);
    assertEquals(5, stat.size);
    assertEquals(0640, stat.mode);
    assertEquals(Files.getLastModifiedTime(file).toMillis(), stat.mtimeMillis);
    FileStat viaLink = fs.stat(dir.resolve("link").toString());
    assertTrue(viaLink.symlink && viaLink.type == FileType.file, viaLink.toString());
    assertEquals(FileType.directory, fs.stat(dir.toString()).type);

    List<DirEntry> entries = fs.readDir(dir.toString());
    assertEquals(List.of("a", "link", ODD_NAME), entries.stream().map(e -> e.name).toList());
    assertEquals(List.of(FileType.directory, FileType.symlink, FileType.file), entries.stream().map(e -> e.type).toList());

    assertEquals(file.toString(), fs.realpath(dir.resolve("a/b/../../link").toString()));

    fs.copy(dir.resolve("a").toString(), dir.resolve("a copy").toString(), false);
    assertTrue(Files.isDirectory(dir.resolve("a copy/b/c")));
    fs.copy(file.toString(), dir.resolve("copy.txt").toString(), false);
    assertEquals("12345", FsTrees.read(dir.resolve("copy.txt")));
    assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("copy.txt"))));

    fs.rename(dir.resolve("copy.txt").toString(), dir.resolve("renamed ☕.txt").toString(), false);
    assertTrue(Files.exists(dir.resolve("renamed ☕.txt")) && !Files.exists(dir.resolve("copy.txt")));
    FsTrees.write(dir.resolve("other.txt"), "other");
    fs.rename(dir.resolve("other.txt").toString(), dir.resolve("renamed ☕.txt").toString(), true);
    assertEquals("other", FsTrees.read(dir.resolve("renamed ☕.txt")));

    fs.delete(dir.resolve("renamed ☕.txt").toString(), false);
    assertFalse(Files.exists(dir.resolve("renamed ☕.txt")));
    fs.delete(dir.resolve("a copy").toString(), true);
    assertFalse(Files.exists(dir.resolve("a copy")));
  }

  @Test
  void writeReplacesAtomicallyKeepingTheModeAndHonoursTheFlags() throws Exception {
    Path dir = Files.createDirectories(remote.resolve("write"));
    Path script = FsTrees.write(dir.resolve("run.sh"), "#!/bin/sh\necho old\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-x---"));
    fs.writeFile(script.toString(), stream("#!/bin/sh\necho new\n"));
    assertEquals("#!/bin/sh\necho new\n", FsTrees.read(script));
    assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(script)), "mode kept");
    assertEquals("#!/bin/sh\necho new\n", new String(fs.readAllBytes(script.toString()), StandardCharsets.UTF_8));

    FileSystemError exists = assertThrows(FileSystemError.class, () -> write(script, "x", true, false));
    assertEquals(Kind.FileExists, exists.kind());
    assertEquals(script.toString(), exists.path());
    Path absent = dir.resolve("absent.txt");
    FileSystemError notFound = assertThrows(FileSystemError.class, () -> write(absent, "x", false, true));
    assertEquals(Kind.FileNotFound, notFound.kind());
    assertFalse(Files.exists(absent));
    write(absent, "made", true, false);
    assertEquals("made", FsTrees.read(absent));

    // Through a symbolic link: the target changes, the link stays a link.
    Path link = Files.createSymbolicLink(dir.resolve("link.sh"), script);
    write(link, "via the link", true, true);
    assertTrue(Files.isSymbolicLink(link), "still a link");
    assertEquals("via the link", FsTrees.read(script));
    fs.writeFile(script.toString(), stream("#!/bin/sh\necho new\n"));

    // Abandoned midway: the old content stays and the temporary file goes.
    RemoteFileSystem.FileWriter abandoned = fs.openWrite(script.toString(), true, true);
    abandoned.write(new byte[1 << 20]);
    abandoned.abort();
    awaitCondition(() -> FsTrees.leftovers(dir).isEmpty(), "no temporary file after abort: " + FsTrees.leftovers(dir));
    assertEquals("#!/bin/sh\necho new\n", FsTrees.read(script));
    assertEquals(List.of(), FsTrees.leftovers(dir));
  }

  /** Writers racing on one file: each write is whole, the last rename wins, nothing is mixed or left over. */
  @Test
  void concurrentWritersNeverMix() throws Exception {
    Path dir = Files.createDirectories(remote.resolve("concurrent"));
    Path shared = dir.resolve("shared.bin");
    int writers = 6;
    int size = 4 << 20;
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      byte value = (byte) ('A' + w);
      all.add(CompletableFuture.runAsync(() -> {
        try {
          byte[] chunk = new byte[FsTrees.CHUNK];
          Arrays.fill(chunk, value);
          try (RemoteFileSystem.FileWriter out = fs.openWrite(shared.toString(), true, true)) {
            for (int i = 0; i < size / chunk.length; i++) {
              out.write(chunk);
            }
          }
          fs.writeFile(dir.resolve("own-" + (char) value).toString(), stream("writer " + (char) value));
        } catch (IOException e) {
          throw new RuntimeException(e);
        }
      }));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
    byte[] result = Files.readAllBytes(shared);
    assertEquals(size, result.length);
    Set<Byte> values = new HashSet<>();
    for (byte b : result) {
      values.add(b);
    }
    assertEquals(1, values.size(), "one writer's whole content, not a mix: " + values);
    for (int w = 0; w < writers; w++) {
      assertEquals("writer " + (char) ('A' + w), FsTrees.read(dir.resolve("own-" + (char) ('A' + w))));
    }
    assertEquals(List.of(), FsTrees.leftovers(dir));
  }

  /** Bad input gets the typed error naming the path, and nothing on disk changes. */
  @Test
  void badInputGetsTypedErrors() throws Exception {
    Path dir = Files.createDirectories(remote.resolve("bad"));
    Path file = FsTrees.write(dir.resolve("file.txt"), "content");
    FsTrees.write(dir.resolve("full/x.txt"), "x");

    assertError(Kind.FileNotFound, "relative/x.txt", () -> fs.stat("relative/x.txt"));
    assertError(Kind.FileNotFound, "relative.txt", () -> write(Path.of("relative.txt"), "x", true, true));
    assertError(Kind.FileNotFound, dir + "/missing", () -> fs.stat(dir + "/missing"));
    assertError(Kind.FileNotFound, dir + "/missing", () -> fs.readAllBytes(dir + "/missing"));
    assertError(Kind.FileNotFound, dir + "/missing", () -> fs.readDir(dir + "/missing"));
    assertError(Kind.FileNotADirectory, file.toString(), () -> fs.readDir(file.toString()));
    assertError(Kind.FileIsADirectory, dir.toString(), () -> fs.readAllBytes(dir.toString()));
    assertError(Kind.FileIsADirectory, dir.toString(), () -> write(dir, "x", true, true));
    assertError(Kind.FileNotFound, dir + "/no/such/file.txt", () -> write(dir.resolve("no/such/file.txt"), "x", true, true));
    assertError(Kind.FileExists, file.toString(), () -> fs.mkdir(file.toString()));
    assertError(Kind.FileIsADirectory, dir.resolve("full").toString(), () -> fs.delete(dir.resolve("full").toString(), false));
    assertError(Kind.FileNotFound, dir + "/missing", () -> fs.rename(dir + "/missing", dir + "/other", false));
    assertError(Kind.FileExists, dir.resolve("full").toString(), () -> fs.rename(file.toString(), dir.resolve("full").toString(), false));
    assertError(Kind.FileExists, file.toString(), () -> fs.copy(dir.resolve("full/x.txt").toString(), file.toString(), false));

    assertEquals("content", FsTrees.read(file));
    assertEquals(Set.of("file.txt", "full"), names(dir));
    assertEquals(List.of(), FsTrees.leftovers(remote));
  }

  /** A real EACCES: the agent runs without root's DAC override, through the real ssh client and sshd. */
  @Test
  void permissionErrorsAreNoPermissions() throws Exception {
    Path dir = Files.createDirectories(remote.resolve("perm"));
    Path secret = FsTrees.write(dir.resolve("secret.txt"), "secret");
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("---------"));
    Path locked = Files.createDirectories(dir.resolve("locked"));
    Path inside = FsTrees.write(locked.resolve("inside.txt"), "inside");
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-xr-xr-x"));
    String via = viaSsh("setpriv --bounding-set=-dac_override,-dac_read_search --inh-caps=-dac_override,-dac_read_search");
    try (RemoteFileSystem limited = new RemoteFileSystem(daemon.opener(spec(via)))) {
      assertError(Kind.NoPermissions, secret.toString(), () -> limited.readAllBytes(secret.toString()));
      assertError(Kind.NoPermissions, inside.toString(), () -> write(limited, inside, "changed", true, true));
      assertError(Kind.NoPermissions, locked.resolve("new.txt").toString(),
          () -> write(limited, locked.resolve("new.txt"), "new", true, true));
      assertError(Kind.NoPermissions, inside.toString(), () -> limited.delete(inside.toString(), false));
      assertError(Kind.NoPermissions, locked.resolve("sub").toString(), () -> limited.mkdir(locked.resolve("sub").toString()));
      assertEquals("inside", FsTrees.read(inside));
      assertEquals(Set.of("inside.txt"), names(locked));
    } finally {
      Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    List<String> command = new ArrayList<>(List.of("fs", "--via", via, "local", "cat", secret.toString()));
    TetherCli.Result cat = tether.run(command.toArray(String[]::new));
    assertEquals(1, cat.exit(), cat.toString());
    assertEquals("tether: NoPermissions: " + secret, cat.stderr().strip());
  }

  // ---- watch -----------------------------------------------------------------------------------

  @Test
  void watchReportsCreateModifyDeleteAndRenameButNotExcludedPaths() throws Exception {
    Path dir = Files.createDirectories(remote.resolve("watched"));
    Files.createDirectories(dir.resolve("node_modules/pkg"));
    Files.createDirectories(dir.resolve(".git"));
    FsWire.WatchRequest request = watchRequest(dir);
    request.excludes = List.of("node_modules", ".git");
    try (Collector changes = new Collector(fs.watch(request))) {
      assertEquals("inotify", changes.watch.mode());
      exerciseWatch(dir, changes);
    }
  }

  /** A watch on one file reports that file only, though inotify watches its whole directory. */
  @Test
  void watchingAFileReportsThatFileOnly() throws Exception {
    Path dir = Files.createDirectories(remote.resolve("watched-file"));
    Path file = FsTrees.write(dir.resolve(ODD_NAME), "one");
    try (Collector changes = new Collector(fs.watch(watchRequest(file)))) {
      FsTrees.write(dir.resolve("neighbour.txt"), "not watched");
      Files.writeString(file, "one, two");
      changes.await(c -> c.contains(new FileChange(FileChange.Type.changed, file.toString())), "changed " + file);
      Files.delete(file);
      changes.await(c -> c.contains(new FileChange(FileChange.Type.deleted, file.toString())), "deleted " + file);
      assertEquals(Set.of(file.toString()), changes.all().stream().map(c -> c.path).collect(Collectors.toSet()));
    }
  }

  @Test
  void pollingReportsTheSameChanges() throws Exception {
    Path dir = Files.createDirectories(remote.resolve("polled"));
    Files.createDirectories(dir.resolve("node_modules/pkg"));
    Files.createDirectories(dir.resolve(".git"));
    FsWire.WatchRequest request = watchRequest(dir);
    request.excludes = List.of("node_modules", ".git");
    request.poll = true;
    request.pollIntervalMillis = 200;
    try (Collector changes = new Collector(fs.watch(request))) {
      assertEquals("polling", changes.watch.mode());
      exerciseWatch(dir, changes);
    }
  }

  /** The agent's user namespace allows 3 inotify watches; a tree of 8 directories falls back to polling and says so. */
  @Test
  void theInotifyLimitFallsBackToPollingWithAClearWarning() throws Exception {
    Path dir = Files.createDirectories(remote.resolve("limited"));
    for (int i = 0; i < 8; i++) {
      Files.createDirectories(dir.resolve("d" + i));
    }
    String via = viaSsh("unshare --user --map-root-user sh -c 'echo 3 > /proc/sys/user/max_inotify_watches && exec \"$0\" \"$@\"'");
    try (RemoteFileSystem limited = new RemoteFileSystem(daemon.opener(spec(via)))) {
      FsWire.WatchRequest request = watchRequest(dir);
      request.pollIntervalMillis = 200;
      try (Collector changes = new Collector(limited.watch(request))) {
        assertEquals("polling", changes.watch.mode(), "mode; warning: " + changes.watch.warning());
        assertNotNull(changes.watch.warning());
        assertTrue(changes.watch.warning().contains("inotify limit") && changes.watch.warning().contains("polling"),
            changes.watch.warning());
        Path created = FsTrees.write(dir.resolve("d5/new.txt"), "new");
        changes.await(c -> c.contains(new FileChange(FileChange.Type.created, created.toString())), "created " + created);
      }

      // Within the limit at start (root + 2 = 3 watches), over it when a directory appears later.
      Path later = Files.createDirectories(remote.resolve("limited-later"));
      Files.createDirectories(later.resolve("d0"));
      Files.createDirectories(later.resolve("d1"));
      FsWire.WatchRequest second = watchRequest(later);
      second.pollIntervalMillis = 200;
      try (Collector changes = new Collector(limited.watch(second))) {
        assertEquals("inotify", changes.watch.mode(), "mode; warning: " + changes.watch.warning());
        Files.createDirectories(later.resolve("d2"));
        awaitCondition(() -> !changes.warnings().isEmpty(), "a warning once d2 exceeds the limit; changes: " + changes.all());
        assertTrue(changes.warnings().get(0).contains("inotify limit") && changes.warnings().get(0).contains("polling"),
            changes.warnings().toString());
        Path created = FsTrees.write(later.resolve("d2/new.txt"), "new");
        changes.await(c -> c.contains(new FileChange(FileChange.Type.created, created.toString())), "created " + created);
      }
    }
  }

  @Test
  void cliWatchPrintsChanges() throws Exception {
    Path dir = Files.createDirectories(remote.resolve("cli-watch"));
    Process watch = fsCliPiped("watch", "--exclude", "node_modules", dir.toString());
    CompletableFuture<String> err = drain(watch.getErrorStream());
    List<String> lines = new CopyOnWriteArrayList<>();
    java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(watch.getInputStream(), StandardCharsets.UTF_8));
    Thread lineReader = new Thread(() -> {
      try {
        String line;
        while ((line = out.readLine()) != null) {
          lines.add(line);
        }
      } catch (IOException ignored) {
        // ended
      }
    });
    lineReader.setDaemon(true);
    lineReader.start();
    // Keep creating until the watch is set up and reports one (its start is asynchronous to us).
    Path file = dir.resolve(ODD_NAME);
    awaitCondition(() -> {
      FsTrees.write(dir.resolve("node_modules/x.js"), "x");
      FsTrees.write(file, "hello");
      return lines.contains("created " + file) || lines.contains("changed " + file);
    }, "a created line for " + file + " from tether fs watch; stderr: " + (err.isDone() ? err.join() : "(running)"));
    assertTrue(lines.stream().noneMatch(l -> l.contains("node_modules")), lines.toString());
    Processes.endTree(watch.toHandle());
  }

  private FsWire.WatchRequest watchRequest(Path dir) {
    FsWire.WatchRequest request = new FsWire.WatchRequest();
    request.path = dir.toString();
    request.debounceMillis = 50;
    return request;
  }

  /** Create, modify, create in a new subdirectory, rename, delete; excluded paths stay silent. */
  private void exerciseWatch(Path dir, Collector changes) throws Exception {
    Path a = FsTrees.write(dir.resolve(ODD_NAME), "one");
    changes.await(c -> c.contains(new FileChange(FileChange.Type.created, a.toString())), "created " + a);
    Files.writeString(a, "one and two, longer"); // longer: a poller sees the size change even within one mtime tick
    changes.await(c -> c.contains(new FileChange(FileChange.Type.changed, a.toString())), "changed " + a);
    FsTrees.write(dir.resolve("node_modules/pkg/index.js"), "ignored");
    FsTrees.write(dir.resolve(".git/index"), "ignored");
    Path nested = FsTrees.write(dir.resolve("sub dir/nested.txt"), "nested");
    changes.await(c -> c.contains(new FileChange(FileChange.Type.created, nested.toString())), "created " + nested);
    Path renamed = dir.resolve("renamed.txt");
    Files.move(a, renamed);
    changes.await(c -> c.contains(new FileChange(FileChange.Type.deleted, a.toString()))
        && c.contains(new FileChange(FileChange.Type.created, renamed.toString())), "rename " + a + " -> " + renamed);
    Files.delete(renamed);
    changes.await(c -> c.contains(new FileChange(FileChange.Type.deleted, renamed.toString())), "deleted " + renamed);
    List<FileChange> excluded = changes.all().stream()
        .filter(c -> c.path.contains("node_modules") || c.path.contains("/.git")).toList();
    assertEquals(List.of(), excluded, "changes under excluded paths");
  }

  /** Reads a watch's batches on its own thread; the test waits on what has arrived. */
  static final class Collector implements AutoCloseable {
    final RemoteFileSystem.Watch watch;
    private final List<FileChange> changes = new CopyOnWriteArrayList<>();
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private final Thread thread;

    Collector(RemoteFileSystem.Watch watch) {
      this.watch = watch;
      this.thread = new Thread(() -> {
        try {
          FsWire.WatchMessage message;
          while ((message = watch.next()) != null) {
            if (message.changes != null) {
              changes.addAll(message.changes);
            }
            if (message.warning != null) {
              warnings.add(message.warning);
            }
          }
        } catch (IOException ended) {
          // closed
        }
      }, "watch collector");
      thread.setDaemon(true);
      thread.start();
    }

    List<String> warnings() {
      return List.copyOf(warnings);
    }

    List<FileChange> all() {
      return List.copyOf(changes);
    }

    void await(Predicate<List<FileChange>> done, String what) {
      awaitCondition(() -> done.test(all()), what + "; changes so far: " + all());
    }

    @Override
    public void close() {
      watch.close();
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  // ---- search ----------------------------------------------------------------------------------

  Path searchTree() {
    Path proj = remote.resolve("search");
    if (Files.exists(proj)) {
      return proj;
    }
    FsTrees.write(proj.resolve(".gitignore"), "build/\n*.log\n!keep.log\n");
    FsTrees.write(proj.resolve("src/Main.java"), "class Main {\n  // TODO fix this\n}\n");
    FsTrees.write(proj.resolve("src/notes.txt"), "todo lower\nTODO upper\n");
    FsTrees.write(proj.resolve("build/out.txt"), "TODO built\n");
    FsTrees.write(proj.resolve("debug.log"), "TODO log\n");
    FsTrees.write(proj.resolve("keep.log"), "TODO keep\n");
    FsTrees.write(proj.resolve("sub/.gitignore"), "secret.txt\n");
    FsTrees.write(proj.resolve("sub/secret.txt"), "TODO secret\n");
    FsTrees.write(proj.resolve("sub/" + ODD_NAME), "TODO ☕\n");
    FsTrees.write(proj.resolve("node_modules/lib.js"), "TODO lib\n");
    FsTrees.write(proj.resolve(".git/HEAD"), "TODO git\n");
    try {
      Files.write(proj.resolve("blob.bin"), new byte[] {'T', 'O', 'D', 'O', 0, 1, 2});
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return proj;
  }

  @Test
  void searchHonoursGitignoreGlobsAndCase() throws Exception {
    Path proj = searchTree();
    FsWire.SearchRequest literal = searchRequest(proj, "TODO");
    literal.exclude = List.of("node_modules");
    assertEquals(Set.of("src/Main.java:2", "src/notes.txt:2", "keep.log:1", "sub/" + ODD_NAME + ":1"), hits(proj, literal));

    FsWire.SearchRequest regex = searchRequest(proj, "todo\\s+\\w+");
    regex.regex = true;
    regex.caseSensitive = false;
    regex.include = List.of("*.txt");
    assertEquals(Set.of("src/notes.txt:1", "src/notes.txt:2"), hits(proj, regex));

    FsWire.SearchRequest everything = searchRequest(proj, "TODO");
    everything.gitignore = false;
    assertEquals(Set.of("src/Main.java:2", "src/notes.txt:2", "keep.log:1", "sub/" + ODD_NAME + ":1", "build/out.txt:1",
        "debug.log:1", "sub/secret.txt:1", "node_modules/lib.js:1", ".git/HEAD:1"), hits(proj, everything));

    FsWire.SearchRequest limited = searchRequest(proj, "TODO");
    limited.maxResults = 2;
    try (RemoteFileSystem.Search search = fs.search(limited)) {
      assertNotNull(search.next());
      assertNotNull(search.next());
      assertEquals(null, search.next());
      assertTrue(search.summary().truncated);
    }
  }

  /** Closing a search midway cancels it; the session carries on. */
  @Test
  void aSearchCanBeCancelled() throws Exception {
    Path big = remote.resolve("big-search");
    String many = "match here\n".repeat(2000);
    for (int i = 0; i < 300; i++) {
      FsTrees.write(big.resolve("f" + i + ".txt"), many);
    }
    FsWire.SearchRequest request = searchRequest(big, "match");
    request.maxResults = Integer.MAX_VALUE;
    int received = 0;
    try (RemoteFileSystem.Search search = fs.search(request)) {
      assertNotNull(search.next());
      // Flow control holds the host back while we do not read: the cancel reaches it long before the end.
      search.cancel();
      while (search.next() != null) {
        received++;
      }
      assertEquals(null, search.summary(), "no summary: the host stopped before its end");
    }
    assertTrue(received < 300 * 2000 - 1, "matches received after the cancel: " + received);
    try (RemoteFileSystem.Search closed = fs.search(request)) {
      assertNotNull(closed.next());
    } // close() cancels too, discarding what is in flight
    assertEquals(FileType.directory, fs.stat(big.toString()).type);
    assertError(Kind.FileNotFound, big + "/none", () -> fs.search(searchRequest(big.resolve("none"), "x")));
  }

  @Test
  void cliGrepPrintsMatchesAndExitsLikeGrep() {
    Path proj = searchTree();
    TetherCli.Result found = fsCli("grep", "-F", "TODO", "--exclude", "node_modules", proj.toString());
    assertEquals(0, found.exit(), found.toString());
    assertEquals(new TreeSet<>(List.of(proj + "/keep.log:1:TODO keep", proj + "/src/Main.java:2:  // TODO fix this",
        proj + "/src/notes.txt:2:TODO upper", proj + "/sub/" + ODD_NAME + ":1:TODO ☕")), new TreeSet<>(found.stdout().lines().toList()));
    TetherCli.Result none = fsCli("grep", "nothing-like-this", proj.toString());
    assertEquals(1, none.exit(), none.toString());
    assertEquals("", none.stdout());
    TetherCli.Result bad = fsCli("grep", "(unclosed", proj.toString());
    assertEquals(2, bad.exit(), bad.toString());
    assertTrue(bad.stderr().contains("invalid regular expression"), bad.toString());
  }

  private FsWire.SearchRequest searchRequest(Path root, String query) {
    FsWire.SearchRequest request = new FsWire.SearchRequest();
    request.path = root.toString();
    request.query = query;
    return request;
  }

  private Set<String> hits(Path root, FsWire.SearchRequest request) throws IOException {
    Set<String> hits = new HashSet<>();
    try (RemoteFileSystem.Search search = fs.search(request)) {
      SearchMatch match;
      while ((match = search.next()) != null) {
        hits.add(root.relativize(Path.of(match.path)) + ":" + match.line);
      }
      assertEquals(hits.size(), search.summary().matches);
    }
    return hits;
  }

  // ---- helpers ---------------------------------------------------------------------------------

  @FunctionalInterface
  interface Call {
    void run() throws Exception;
  }

  static void assertError(Kind kind, String path, Call call) {
    FileSystemError error = assertThrows(FileSystemError.class, call::run);
    assertEquals(kind, error.kind(), error.getMessage());
    assertEquals(path, error.path(), error.getMessage());
    assertTrue(error.getMessage().startsWith(kind + ": "), error.getMessage());
  }

  void write(Path path, String content, boolean create, boolean overwrite) throws IOException {
    write(fs, path, content, create, overwrite);
  }

  static void write(RemoteFileSystem files, Path path, String content, boolean create, boolean overwrite) throws IOException {
    try (RemoteFileSystem.FileWriter out = files.openWrite(path.toString(), create, overwrite)) {
      out.write(content.getBytes(StandardCharsets.UTF_8));
    }
  }

  static InputStream stream(String content) {
    return new java.io.ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8));
  }

  static Set<String> names(Path dir) throws IOException {
    try (var list = Files.list(dir)) {
      return list.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
    }
  }

  static CompletableFuture<String> drain(InputStream in) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "(" + e + ")";
      }
    });
  }

  static int awaitExit(Process process, Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      Processes.endTree(process.toHandle());
      throw new AssertionError("tether did not finish within " + timeout.toSeconds() + " s");
    }
    return process.exitValue();
  }

  @FunctionalInterface
  interface Condition {
    boolean holds() throws Exception;
  }

  /** Waits up to {@link #EVENTS_WAIT} for something another process makes true; fails with {@code what}. */
  static void awaitCondition(Condition condition, String what) {
    long deadline = System.nanoTime() + EVENTS_WAIT.toNanos();
    try {
      while (!condition.holds()) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("waited " + EVENTS_WAIT.toSeconds() + " s for: " + what);
        }
        Thread.sleep(50); // the host's disk and another process: polling with a generous deadline
      }
    } catch (AssertionError e) {
      throw e;
    } catch (Exception e) {
      throw new AssertionError(what + ": " + e, e);
    }
  }
}
