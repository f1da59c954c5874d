package dev.tether.conformance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tether.conformance.lsp.Processes;
import dev.tether.conformance.lsp.TetherCli;
import dev.tether.conformance.ws.ServeProcess;
import dev.tether.local.conformance.Check;
import dev.tether.local.conformance.Conformance;
import dev.tether.local.ssh.MinaSshServer;
import dev.tether.local.ssh.OpenSshServer;
import dev.tether.local.ssh.SshServerFixture;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.w3c.dom.Element;

/**
 * {@code tether conformance}, the real CLI as a user runs it, against the agent reached every way the
 * project supports here: {@code local}, MINA SSHD and OpenSSH on 127.0.0.1, {@code tether-remote serve}
 * (ws://); and against a deliberately
 * broken agent, which it must report. One suite, not two: the checks the CI runs are the command's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConformanceCommandTest {
  private static final String HOST_ALIAS = "tether-conformance-host";
  /** The whole suite against one destination, SSH connections and agent start-ups included. */
  private static final Duration SUITE_TIMEOUT = Duration.ofMinutes(10);
  /** Relays end with their connection; the agent ends what a check started when the session ends. */
  private static final Duration AGENT_EXIT_WAIT = Duration.ofSeconds(30);

  Path base;
  TetherCli tether;

  @BeforeAll
  void setUp() throws IOException {
    base = Files.createTempDirectory("tether-conformance-");
    tether = new TetherCli(base.resolve("run"), base.resolve("cache"), base.resolve("logs"));
  }

  @AfterAll
  void tearDown() {
    try {
      tether.close();
    } finally {
      deleteTree(base);
    }
  }

  @Test
  void listNamesEveryCheckWithItsSectionWithoutConnecting() {
    TetherCli.Result result = tether.run("conformance", "--list");
    assertEquals(0, result.exit(), result.toString());
    List<String> lines = result.stdout().lines().toList();
    List<Check> catalogue = Conformance.catalogue();
    assertEquals(catalogue.size(), lines.size(), result.stdout());
    for (int i = 0; i < catalogue.size(); i++) {
      Check check = catalogue.get(i);
      assertTrue(lines.get(i).startsWith(check.id() + " ") && lines.get(i).contains(check.section())
          && lines.get(i).endsWith(check.title()), lines.get(i));
    }
    assertTrue(catalogue.stream().anyMatch(c -> c.id().equals("protocol.window-overrun")), "the overrun check is listed");
  }

  @Test
  void anUnknownGroupIsOneClearError() {
    TetherCli.Result result = tether.run("conformance", "local", "--only", "nosuch");
    assertEquals(1, result.exit(), result.toString());
    assertEquals("tether: unknown check group 'nosuch'; groups: protocol, services, lsp, dap", result.stderr().strip());
    assertEquals("", result.stdout());
  }

  @Test
  void onlyRunsTheNamedGroup() throws Exception {
    TetherCli.Result result = conformance("local", "--only", "services");
    assertEquals(0, result.exit(), result.toString());
    List<String> ids = Conformance.catalogue().stream().filter(c -> c.group().equals("services")).map(Check::id).toList();
    List<String> lines = result.stdout().lines().toList();
    assertEquals(ids.size() + 1, lines.size(), result.stdout());
    for (int i = 0; i < ids.size(); i++) {
      assertTrue(lines.get(i).startsWith("PASS " + ids.get(i) + " "), lines.get(i));
    }
    assertEquals(ids.size() + " passed, 0 failed", lines.get(ids.size()));
  }

  @Test
  void localPassesEveryCheckAndWritesTheJUnitReport() throws Exception {
    Path xml = base.resolve("local.xml");
    TetherCli.Result result = conformance("local", "--junit-xml", xml.toString());
    assertEquals(0, result.exit(), result.toString());
    List<String> lines = result.stdout().lines().toList();
    int checks = Conformance.catalogue().size();
    assertEquals(checks + 1, lines.size(), result.stdout());
    for (String line : lines.subList(0, checks)) {
      // a local agent is the process at the end of its transport: nothing outlives a cut to resume
      assertTrue(line.startsWith("PASS ") || line.startsWith("SKIP protocol.resume "), line);
    }
    assertEquals((checks - 1) + " passed, 0 failed, 1 not applicable", lines.get(checks));

    Element suite = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml.toFile()).getDocumentElement();
    assertEquals("testsuite", suite.getTagName());
    assertEquals(Integer.toString(checks), suite.getAttribute("tests"));
    assertEquals("0", suite.getAttribute("failures"));
    assertEquals("1", suite.getAttribute("skipped"));
    assertEquals(checks, suite.getElementsByTagName("testcase").getLength());
    assertEquals("protocol.resume", ((Element) suite.getElementsByTagName("skipped").item(0).getParentNode()).getAttribute("name"));
  }

  @Test
  void minaSshdPassesEveryCheckResumptionIncluded() throws Exception {
    try (MinaSshServer server = MinaSshServer.start()) {
      everyCheckPassesOver(server, ProcessHandle.current());
    }
  }

  @Test
  void openSshPassesEveryCheckResumptionIncluded() throws Exception {
    try (OpenSshServer server = OpenSshServer.start()) {
      ProcessHandle sshd = ProcessHandle.of(server.pid()).orElseThrow(() -> new AssertionError("sshd is not running"));
      everyCheckPassesOver(server, sshd);
    }
  }

  private void everyCheckPassesOver(SshServerFixture server, ProcessHandle serverProcess) throws Exception {
    Path config = base.resolve("ssh_config-" + server.port());
    Files.writeString(config, String.join("\n", server.hostConfig(HOST_ALIAS, base.resolve("known_hosts-" + server.port()))));
    TetherCli.Result result = conformance(HOST_ALIAS, "-F", config.toString());
    assertEveryCheckPassed(result);
    List<ProcessHandle> relays = Processes.agentsUnder(serverProcess);
    assertEquals(List.of(), Processes.survivors(relays, AGENT_EXIT_WAIT), "agent relays left running by the checks");
  }

  @Test
  void aWebSocketEndpointPassesEveryCheckResumptionIncluded() throws Exception {
    Path home = Files.createDirectories(base.resolve("serve-home"));
    try (ServeProcess serve = ServeProcess.start(home, "--listen", "127.0.0.1:0")) {
      assertEveryCheckPassed(conformance(serve.url(), "--token-file", serve.tokenFile().toString()));
    }
  }

  private static void assertEveryCheckPassed(TetherCli.Result result) {
    int checks = Conformance.catalogue().size();
    assertEquals(0, result.exit(), result.toString());
    List<String> lines = result.stdout().lines().toList();
    assertEquals(checks + 1, lines.size(), result.stdout());
    lines.subList(0, checks).forEach(line -> assertTrue(line.startsWith("PASS "), line));
    assertEquals(checks + " passed, 0 failed", lines.get(checks));
  }

  @Test
  void aBrokenAgentIsReportedAsFailWithTheReason() throws Exception {
    String agent = Processes.java() + " -cp " + System.getProperty("java.class.path") + " " + BrokenAgent.class.getName();
    Path xml = base.resolve("broken.xml");
    TetherCli.Result result = conformance("broken", "--via", agent, "--junit-xml", xml.toString());
    assertEquals(1, result.exit(), result.toString());
    List<String> lines = result.stdout().lines().toList();
    assertTrue(lines.contains("FAIL protocol.open-unknown-kind OPEN of a kind the agent does not serve gets OPEN_FAIL "
        + "CHANNEL_REFUSED: OPEN_FAIL code 2 (" + BrokenAgent.REASON + "), expected CHANNEL_REFUSED (5)"), result.stdout());
    assertTrue(lines.contains("PASS protocol.handshake a version-1 hello is answered with a hello carrying session id and token"),
        "what the broken agent does right still passes: " + result.stdout());
    String summary = lines.get(lines.size() - 1);
    assertTrue(summary.matches("\\d+ passed, [1-9]\\d* failed(, 1 not applicable)?"), summary);
    long failed = lines.stream().filter(l -> l.startsWith("FAIL ")).count();
    assertTrue(summary.contains(failed + " failed"), summary);
    Element suite = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml.toFile()).getDocumentElement();
    assertEquals(Long.toString(failed), suite.getAttribute("failures"));
  }

  @Test
  void aCarelessLspAndDapPathIsReportedAsFailWithTheReason() throws Exception {
    String agent = Processes.java() + " -cp " + System.getProperty("java.class.path") + " " + MangledAgent.class.getName();
    TetherCli.Result result = conformance("mangled", "--via", agent, "--only", "lsp", "--only", "dap");
    assertEquals(1, result.exit(), result.toString());
    List<String> lines = result.stdout().lines().toList();
    String sent = "{ \"params\" : {\"b\":1.50,\"a\":[1e3, -0, \"\\u00e9\\/\",\"é ✓\"],\"c\":null} ,\"method\":\"test/echo\",\"id\":1, \"jsonrpc\":\"2.0\" }";
    String got = "{\"params\":{\"b\":1.50,\"a\":[1e3,-0,\"é/\",\"é ✓\"]},\"method\":\"test/echo\",\"id\":1,\"jsonrpc\":\"2.0\"}";
    assertTrue(lines.contains("FAIL lsp.byte-identical a message with no URIs reaches the server, and the server's the editor, "
        + "byte for byte: the server got " + got + " where the editor sent " + sent), result.stdout());
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("FAIL dap.path-mapping ")
        && l.contains(": the client got a StackFrame without source.path: {\"id\":1,\"name\":\"main\"")), result.stdout());
    assertTrue(lines.contains("PASS lsp.cancel $/cancelRequest reaches the server with the id, and its RequestCancelled "
        + "reaches the editor"), "what the careless path does right still passes: " + result.stdout());
    long failed = lines.stream().filter(l -> l.startsWith("FAIL ")).count();
    long passed = lines.stream().filter(l -> l.startsWith("PASS ")).count();
    assertEquals(passed + " passed, " + failed + " failed", lines.get(lines.size() - 1));
  }

  /** Runs {@code tether conformance ARGS} to the end (the suite takes longer than TetherCli.run allows). */
  private TetherCli.Result conformance(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("conformance"));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(base, "conformance", ".stdout");
    Path err = Files.createTempFile(base, "conformance", ".stderr");
    Process process = tether.processBuilder(command, base)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    try {
      if (!process.waitFor(SUITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("tether " + String.join(" ", command) + " did not finish within "
            + SUITE_TIMEOUT.toMinutes() + " min; so far: " + Files.readString(out));
      }
      return new TetherCli.Result(process.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Processes.endTree(process.toHandle());
    }
  }

  private static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a temp directory
    }
  }
}
