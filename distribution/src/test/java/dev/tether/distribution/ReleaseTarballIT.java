package dev.tether.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tether.local.cli.Tether;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The release tarball as a user gets it: unpacked into a temporary directory and run from there with
 * only a Java on the PATH, a fresh HOME and, for the demo, the checkout and the Maven repository hidden
 * (a private mount namespace with empty file systems over both). Also install.sh into a temporary HOME
 * and back out, and the launcher's answers to a missing or old Java and to an incomplete lib/.
 */
class ReleaseTarballIT {
  private static final String VERSION = System.getProperty("tether.version");
  private static final Path TARBALL = Path.of(System.getProperty("tether.tarball"));
  private static final Path CHECKOUT = Path.of(System.getProperty("tether.checkout"));

  @TempDir
  static Path tmp;
  static Path release;

  @BeforeAll
  static void unpack() throws Exception {
    assertTrue(Files.isRegularFile(TARBALL), TARBALL + " was not built");
    Sandbox.Result tar = new Sandbox(tmp, tmp, "/usr/bin:/bin").run(60, "tar", "xzf", TARBALL.toString());
    assertEquals(0, tar.exit(), tar.both());
    release = tmp.resolve("tether-" + VERSION);
  }

  private static Sandbox user(String name) throws IOException {
    Path home = Files.createDirectories(tmp.resolve("homes").resolve(name));
    return new Sandbox(home, home, Sandbox.pathWithJava());
  }

  @Test
  void theTarballHoldsLaunchersJarsManPagesCompletionsAndLegalFiles() {
    for (String file : List.of("bin/tether", "bin/tether-remote", "install.sh")) {
      assertTrue(Files.isExecutable(release.resolve(file)), file);
    }
    for (String file : List.of("lib/tether.jar", "lib/tether-remote.jar", "lib/tether-cli.classlist", "README.md",
        "LICENSE", "NOTICE", "CHANGELOG.md", "completions/tether.bash", "completions/tether.zsh", "man/tether.1")) {
      assertTrue(Files.isRegularFile(release.resolve(file)), file);
    }
  }

  @Test
  void thereIsAManPageForEveryCommandOfTheCommandModel() throws IOException {
    Set<String> expected = new TreeSet<>();
    collectPages("tether", new CommandLine(new Tether()), expected);
    Set<String> pages;
    try (Stream<Path> files = Files.list(release.resolve("man"))) {
      pages = files.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
    }
    assertEquals(expected, pages);
    assertTrue(Files.readString(release.resolve("man/tether-lsp.1")).contains("\\fB\\-\\-map\\fP=\\fILOCAL=REMOTE\\fP"),
        "tether-lsp(1) documents --map");
  }

  private static void collectPages(String name, CommandLine command, Set<String> pages) {
    pages.add(name + ".1");
    command.getSubcommands().forEach((sub, cli) -> {
      if (!cli.getCommandSpec().usageMessage().hidden() && !sub.equals("help")) {
        collectPages(name + "-" + sub, cli, pages);
      }
    });
  }

  @Test
  void bashCompletesTheSubcommands() throws Exception {
    Sandbox.Result result = user("completion").run(60, "bash", "-c",
        "source '" + release.resolve("completions/tether.bash") + "'"
            + " && COMP_WORDS=(tether l) && COMP_CWORD=1 && COMP_LINE='tether l' && COMP_POINT=8"
            + " && _complete_tether && printf '%s\\n' \"${COMPREPLY[@]}\"");
    assertEquals(0, result.exit(), result.both());
    assertEquals("lsp", result.out().strip(), result.both());
  }

  @Test
  void noticeNamesEveryBundledLibraryAndNothingElse() throws IOException {
    Pattern line = Pattern.compile("^\\s+([\\w.-]+):([\\w.-]+):jar:([\\w.-]+):\\w+");
    Set<String> bundled = new TreeSet<>();
    for (String entry : Files.readAllLines(Path.of(System.getProperty("tether.bundled")))) {
      Matcher m = line.matcher(entry);
      if (m.find()) {
        bundled.add(m.group(1) + ":" + m.group(2) + " " + m.group(3));
      }
    }
    assertFalse(bundled.isEmpty(), "the build's list of bundled libraries is empty");
    Pattern row = Pattern.compile("^\\| ([\\w.-]+:[\\w.-]+)\\s+\\| ([\\w.-]+)\\s+\\|", Pattern.MULTILINE);
    Set<String> noticed = new TreeSet<>();
    Matcher m = row.matcher(Files.readString(release.resolve("NOTICE")));
    while (m.find()) {
      noticed.add(m.group(1) + " " + m.group(2));
    }
    assertEquals(bundled, noticed, "NOTICE rows (coordinates and version) against the bundled libraries");
    assertTrue(Files.readString(release.resolve("NOTICE")).contains("MIT License, Copyright (c) Microsoft Corporation"));
    assertTrue(Files.readString(release.resolve("LICENSE")).contains("Version 2.0, January 2004"));
  }

  @Test
  void theLauncherRunsWithOnlyAJavaAndKeepsItsClassDataArchiveInTheUserCache() throws Exception {
    Sandbox user = user("version");
    Sandbox.Result first = user.run(120, release.resolve("bin/tether").toString(), "--version");
    assertEquals(0, first.exit(), first.both());
    assertTrue(first.out().matches("tether " + Pattern.quote(VERSION) + " \\(commit [0-9a-f]{12}(-dirty)?, protocol \\d+\\.\\d+\\)\n"),
        first.both());
    assertTrue(first.err().contains("preparing the class-data archive"), first.both());
    Path cds = tmp.resolve("homes/version/.cache/tether/cds");
    try (Stream<Path> archives = Files.list(cds)) {
      assertEquals(1, archives.filter(p -> p.toString().endsWith(".jsa")).count(), "one archive in " + cds);
    }

    Sandbox.Result second = user.run(60, release.resolve("bin/tether").toString(), "--version");
    assertEquals(first.out(), second.out());
    assertEquals("", second.err(), "a second start uses the archive quietly");

    Sandbox.Result agent = user.run(60, release.resolve("bin/tether-remote").toString(), "version");
    assertEquals(0, agent.exit(), agent.both());
    assertEquals(first.out().replaceFirst("^tether ", "tether-remote "), agent.out());
  }

  @Test
  void theDemoRunsFromTheTarballWithTheCheckoutAndMavenOutOfReach() throws Exception {
    Path m2 = Path.of(System.getProperty("user.home"), ".m2");
    // Empty file systems over the checkout and ~/.m2, seen by this command alone (its own mount namespace).
    String script = "set -e; mount -t tmpfs none '" + CHECKOUT + "'; "
        + (Files.isDirectory(m2) ? "mount -t tmpfs none '" + m2 + "'; " : "")
        + "test ! -e '" + CHECKOUT.resolve("pom.xml") + "' || { echo 'the checkout is still visible' >&2; exit 97; }; "
        + "cd /; exec '" + release.resolve("bin/tether") + "' demo";
    List<String> command = new ArrayList<>(unshare());
    command.addAll(List.of("sh", "-c", script));
    Sandbox.Result demo = user("demo").run(300, command);
    assertEquals(0, demo.exit(), demo.both());
    assertTrue(demo.out().contains("installing the agent"), demo.both());
    assertTrue(Pattern.compile("\n  definition greet .*\\$D/local/app/greet\\.(py|h):\\d+ \\(the editor's copy\\)")
        .matcher(demo.out()).find(), demo.both());
    assertTrue(demo.out().contains(release.resolve("install.sh").toString()), "points to install.sh:\n" + demo.out());
  }

  /**
   * The demo on a machine without pylsp and clangd, run by a user who cannot become root: it must install
   * nothing and print the exact command. Real end to end: the demo runs as nobody, with a PATH that has
   * every command of /usr/bin (apt-get included) but the two servers. (The install itself, as root or
   * through sudo, is decided by ServerInstall, unit-tested against a scripted machine: a real install
   * would change this shared machine.)
   */
  @Test
  void theDemoWithoutALanguageServerOrRootPrintsTheInstallCommandAndExitsNonZero() throws Exception {
    assertEquals(0L, (long) (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid"),
        "this test runs the demo as nobody (setpriv), which needs the tests to run as root");
    Path shared = Files.createDirectories(tmp.resolve("as-nobody"));
    for (Path dir : List.of(tmp, shared)) {
      Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    Sandbox.Result cp = user("as-nobody").run(60, "cp", "-a", release.toString(), shared.resolve("release").toString());
    assertEquals(0, cp.exit(), cp.both());
    Path home = Files.createDirectories(shared.resolve("home"));
    Files.setPosixFilePermissions(home, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
    Path bin = usrBinWithout(shared.resolve("bin"), "java", "pylsp", "clangd");
    String java = Path.of(ProcessHandle.current().info().command().orElseThrow()).toRealPath().getParent().toString();
    Sandbox.Result demo = user("as-nobody").run(300, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
        "env", "-i", "PATH=" + java + ":" + bin, "HOME=" + home, shared.resolve("release/bin/tether").toString(), "demo");
    assertEquals(1, demo.exit(), demo.both());
    assertTrue(demo.err().contains("tether: neither pylsp nor clangd is installed, and installing one needs root: run sudo "),
        demo.both());
    assertTrue(demo.err().contains("install -y -q python3-pylsp") || demo.err().contains("python3-lsp-server")
        || demo.err().contains("python-lsp-server") || demo.err().contains("py3-lsp-server"), demo.both());
  }

  /** A directory of links to every command of /usr/bin except {@code left}. */
  private static Path usrBinWithout(Path bin, String... left) throws IOException {
    Files.createDirectories(bin);
    Set<String> out = Set.of(left);
    try (Stream<Path> commands = Files.list(Path.of("/usr/bin"))) {
      for (Path command : (Iterable<Path>) commands::iterator) {
        if (!out.contains(command.getFileName().toString())) {
          Files.createSymbolicLink(bin.resolve(command.getFileName()), command);
        }
      }
    }
    return bin;
  }

  /** A private mount namespace: as root directly, otherwise as root of a new user namespace. */
  private static List<String> unshare() throws Exception {
    List<String> plain = List.of("unshare", "--mount", "--propagation", "private");
    List<String> asUser = List.of("unshare", "--user", "--map-root-user", "--mount", "--propagation", "private");
    for (List<String> candidate : List.of(plain, asUser)) {
      List<String> probe = new ArrayList<>(candidate);
      probe.addAll(List.of("sh", "-c", "mount -t tmpfs none /mnt"));
      if (user("probe").run(30, probe).exit() == 0) {
        return candidate;
      }
    }
    throw new AssertionError("this test hides the checkout in a private mount namespace, which needs `unshare`"
        + " (util-linux) and either root or unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1)");
  }

  @Test
  void installLinksIntoTheUsersDirectoriesAndUninstallRemovesExactlyThat() throws Exception {
    Path home = Files.createDirectories(tmp.resolve("homes/install"));
    Sandbox user = new Sandbox(home, home, home.resolve(".local/bin") + ":" + Sandbox.pathWithJava());
    Sandbox.Result install = user.run(60, release.resolve("install.sh").toString());
    assertEquals(0, install.exit(), install.both());
    Path share = home.resolve(".local/share");
    assertEquals(release.resolve("bin/tether"), Files.readSymbolicLink(home.resolve(".local/bin/tether")));
    assertEquals(release.resolve("man/tether-lsp.1"), Files.readSymbolicLink(share.resolve("man/man1/tether-lsp.1")));
    assertEquals(release.resolve("completions/tether.bash"),
        Files.readSymbolicLink(share.resolve("bash-completion/completions/tether")));
    assertTrue(Files.isSymbolicLink(share.resolve("tether/tether.zsh")));

    Sandbox.Result onPath = user.run(120, "bash", "-c", "tether --version"); // found through the user's PATH
    assertEquals(0, onPath.exit(), onPath.both());
    assertTrue(onPath.out().startsWith("tether " + VERSION + " "), onPath.both());
    Sandbox.Result again = user.run(60, release.resolve("install.sh").toString());
    assertEquals(0, again.exit(), "installing twice is fine:\n" + again.both());

    // An upgrade: another release's install.sh replaces these links without asking; uninstalling the old
    // release then leaves the new one's links alone.
    Path newer = tmp.resolve("newer-release");
    assertEquals(0, user.run(60, "cp", "-a", release.toString(), newer.toString()).exit());
    Sandbox.Result upgrade = user.run(60, newer.resolve("install.sh").toString());
    assertEquals(0, upgrade.exit(), upgrade.both());
    assertEquals(newer.resolve("bin/tether"), Files.readSymbolicLink(home.resolve(".local/bin/tether")));
    Sandbox.Result oldGone = user.run(60, release.resolve("install.sh").toString(), "--uninstall");
    assertEquals(0, oldGone.exit(), oldGone.both());
    assertEquals(newer.resolve("bin/tether"), Files.readSymbolicLink(home.resolve(".local/bin/tether")));
    assertEquals(0, user.run(60, newer.resolve("install.sh").toString(), "--uninstall").exit());
    assertEquals(0, user.run(60, release.resolve("install.sh").toString()).exit());

    Path unrelated = Files.writeString(share.resolve("man/man1/ssh.1"), "someone else's page");
    Sandbox.Result uninstall = user.run(60, release.resolve("install.sh").toString(), "--uninstall");
    assertEquals(0, uninstall.exit(), uninstall.both());
    assertFalse(Files.exists(home.resolve(".local/bin/tether"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    assertFalse(Files.exists(share.resolve("man/man1/tether.1"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    assertFalse(Files.exists(share.resolve("bash-completion/completions/tether"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    assertTrue(Files.exists(unrelated), "only its own links are removed");
    assertTrue(Files.isRegularFile(release.resolve("lib/tether.jar")), "the release itself stays");
  }

  @Test
  void installNeverReplacesAnotherTetherWithoutBeingTold() throws Exception {
    Path home = Files.createDirectories(tmp.resolve("homes/foreign"));
    Path theirs = Files.createDirectories(home.resolve(".local/bin")).resolve("tether");
    Files.writeString(theirs, "#!/bin/sh\necho theirs\n");
    Sandbox user = new Sandbox(home, home, home.resolve(".local/bin") + ":" + Sandbox.pathWithJava());

    Sandbox.Result refused = user.run(60, release.resolve("install.sh").toString());
    assertEquals(1, refused.exit(), refused.both());
    assertTrue(refused.err().contains(theirs + " exists and is not from this release")
        || refused.err().contains("left " + theirs + " alone"), refused.both());
    assertEquals("#!/bin/sh\necho theirs\n", Files.readString(theirs), "their tether is untouched");
    assertFalse(Files.exists(home.resolve(".local/share")), "nothing at all was installed");

    Sandbox.Result uninstall = user.run(60, release.resolve("install.sh").toString(), "--uninstall");
    assertEquals(0, uninstall.exit(), uninstall.both());
    assertTrue(Files.isRegularFile(theirs), "--uninstall leaves what is not its own");

    Sandbox.Result forced = user.run(60, release.resolve("install.sh").toString(), "--force");
    assertEquals(0, forced.exit(), forced.both());
    assertEquals(release.resolve("bin/tether"), Files.readSymbolicLink(theirs));
  }

  @Test
  void anOldJavaIsNamedWithWhatToInstall() throws Exception {
    Path fake = Files.createDirectories(tmp.resolve("old-java/bin"));
    Path java = Files.writeString(fake.resolve("java"),
        "#!/bin/sh\necho 'openjdk version \"11.0.22\" 2024-01-16' >&2\necho 'OpenJDK Runtime Environment' >&2\n");
    java.toFile().setExecutable(true);
    Sandbox.Result result = user("old-java").with("PATH", fake + ":" + Sandbox.pathWithJava())
        .run(60, release.resolve("bin/tether").toString(), "--version");
    assertEquals(1, result.exit(), result.both());
    assertEquals("", result.out());
    assertTrue(result.err().contains(java + " is Java 11"), result.both());
    assertTrue(result.err().contains("install Java 17 or newer"), result.both());
    assertTrue(result.err().contains("openjdk-17-jre-headless"), result.both());
  }

  @Test
  void noJavaAtAllIsSaidSo() throws Exception {
    Path bin = usrBinWithout(tmp.resolve("no-java/bin"), "java");
    Sandbox.Result result = user("no-java").with("PATH", bin.toString())
        .run(60, release.resolve("bin/tether").toString(), "--version");
    assertEquals(1, result.exit(), result.both());
    assertTrue(result.err().contains("no Java found"), result.both());
    assertTrue(result.err().contains("install Java 17 or newer"), result.both());
  }

  @Test
  void anIncompleteLibNamesTheMissingJar() throws Exception {
    Path copy = tmp.resolve("incomplete");
    Sandbox.Result cp = user("incomplete").run(60, "cp", "-a", release.toString(), copy.toString());
    assertEquals(0, cp.exit(), cp.both());
    Files.delete(copy.resolve("lib/tether-remote.jar"));
    Sandbox.Result result = user("incomplete").run(60, copy.resolve("bin/tether").toString(), "--version");
    assertEquals(1, result.exit(), result.both());
    assertTrue(result.err().contains(copy.resolve("lib/tether-remote.jar") + " is missing"), result.both());
  }
}
