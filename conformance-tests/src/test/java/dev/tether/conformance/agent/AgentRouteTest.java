package dev.tether.conformance.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tether.adapters.ChannelKinds;
import dev.tether.adapters.sys.SysClient;
import dev.tether.adapters.sys.SysService;
import dev.tether.conformance.lsp.Processes;
import dev.tether.local.connect.AgentJar;
import dev.tether.local.connect.AgentLauncher;
import dev.tether.local.connect.Remote;
import dev.tether.local.daemon.RemoteSpec;
import dev.tether.local.daemon.Ui;
import dev.tether.local.ssh.MinaSshServer;
import dev.tether.local.ssh.OpenSshServer;
import dev.tether.local.ssh.SshEnvironment;
import dev.tether.local.ssh.SshServerFixture;
import dev.tether.mux.Channel;
import dev.tether.mux.ChannelFlavour;
import dev.tether.mux.Session;
import dev.tether.mux.SessionListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the local side reaches the agent daemon on the host: over OpenSSH straight to the daemon's
 * socket ({@code direct-streamlocal@openssh.com}, no relay process on the host), and through the
 * relay {@code tether-remote stdio --daemon} where the server refuses that ({@code
 * AllowStreamLocalForwarding no}) or does not know it (MINA SSHD). Real servers, the real agent jar.
 */
class AgentRouteTest {
  static final Path AGENT_JAR = AgentLauncherTest.AGENT_JAR;

  @TempDir
  Path home;

  @BeforeAll
  static void locateAgent() {
    if (!Files.isRegularFile(AGENT_JAR)) {
      throw new AssertionError(AGENT_JAR + " is missing: build with 'mvn package' (the agent jar is made by bridge-remote)");
    }
    System.setProperty("tether.agent.jar", AGENT_JAR.toString());
  }

  @Test
  void openSshCarriesTheSessionStraightToTheDaemonAndResumesItThereAfterADrop() throws Exception {
    try (OpenSshServer server = OpenSshServer.start()) {
      AgentLauncher launcher = launcher();
      RemoteSpec spec = spec(server);
      CountDownLatch detached = new CountDownLatch(1);
      Remote remote = launcher.connect(spec, Ui.none(), onDetached(detached));
      try {
        assertTrue(remote.route().startsWith("direct: direct-streamlocal@openssh.com to /"), remote.route());
        assertEquals(List.of(), relaysUnder(server), "no relay may run on the host for a direct session");
        Channel sys = remote.session().open(ChannelKinds.SYS, ChannelFlavour.MESSAGES, "");
        SysService service = SysClient.over(sys);
        long agentPid = service.info().get(30, TimeUnit.SECONDS).pid;
        assertTrue(daemonCommandLine(agentPid).contains("dev.tether.remote.TetherRemote daemon "),
            "the session is served by the agent daemon: " + daemonCommandLine(agentPid));

        server.dropConnections();
        assertTrue(detached.await(30, TimeUnit.SECONDS), "the session should notice the dropped connection");
        launcher.resume(spec, remote);
        assertEquals(agentPid, service.info().get(30, TimeUnit.SECONDS).pid,
            "the same channel, answered by the same daemon after the resume");
        assertTrue(remote.route().startsWith("direct: "), "resumed on the direct path: " + remote.route());
        assertEquals(List.of(), relaysUnder(server), "no relay after the resume either");
      } finally {
        remote.close();
      }
    }
  }

  @Test
  void withoutStreamLocalForwardingTheRelayCarriesTheSessionAndSaysWhy() throws Exception {
    try (OpenSshServer server = OpenSshServer.startWith("AllowStreamLocalForwarding no")) {
      Remote remote = launcher().connect(spec(server), Ui.none(), SessionListener.NONE);
      try {
        assertTrue(remote.route().startsWith("relay: tether-remote stdio --daemon on the host, because the SSH server"
            + " refused direct-streamlocal@openssh.com"), remote.route());
        assertTrue(remote.route().contains("AllowStreamLocalForwarding no"), remote.route());
        assertEquals(1, relaysUnder(server).size(), "one relay under sshd: " + relaysUnder(server));
        assertTrue(server.log().contains("refused streamlocal port forward"), "sshd's own log says it refused");
        assertSysInfoAnswers(remote.session());
      } finally {
        remote.close();
      }
    }
  }

  @Test
  void aServerWithoutTheChannelTypeGetsTheRelay() throws Exception {
    try (MinaSshServer server = MinaSshServer.start()) {
      Remote remote = launcher().connect(spec(server), Ui.none(), SessionListener.NONE);
      try {
        assertTrue(remote.route().startsWith("relay: "), remote.route());
        assertTrue(remote.route().contains("does not know direct-streamlocal@openssh.com"), remote.route());
        assertSysInfoAnswers(remote.session());
      } finally {
        remote.close();
      }
    }
  }

  private AgentLauncher launcher() throws Exception {
    return new AgentLauncher(AgentJar.locate(), SshEnvironment.of(home, Map.of()));
  }

  private RemoteSpec spec(SshServerFixture server) {
    return new RemoteSpec(System.getProperty("user.name") + "@127.0.0.1", List.of(
        "-i", server.clientKey().toString(), "-p", Integer.toString(server.port()),
        "-o", "UserKnownHostsFile=" + home.resolve("known_hosts"),
        "-o", "StrictHostKeyChecking=accept-new"), null);
  }

  private static SessionListener onDetached(CountDownLatch detached) {
    return new SessionListener() {
      @Override
      public void onDetached(Session session, String reason) {
        detached.countDown();
      }
    };
  }

  /** The agent relays ({@code tether-remote.jar stdio --daemon}) among sshd's descendants. */
  private static List<ProcessHandle> relaysUnder(OpenSshServer server) {
    return Processes.agentsUnder(ProcessHandle.of(server.pid()).orElseThrow());
  }

  private static String daemonCommandLine(long pid) {
    return ProcessHandle.of(pid).map(Processes::commandLine).orElse("(pid " + pid + " is gone)");
  }

  private static void assertSysInfoAnswers(Session session) throws Exception {
    Channel sys = session.open(ChannelKinds.SYS, ChannelFlavour.MESSAGES, "");
    assertFalse(SysClient.over(sys).info().get(30, TimeUnit.SECONDS).agentVersion.isEmpty());
  }
}
