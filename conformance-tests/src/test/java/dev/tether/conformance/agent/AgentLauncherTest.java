package dev.tether.conformance.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tether.adapters.ChannelKinds;
import dev.tether.adapters.Version;
import dev.tether.local.TetherException;
import dev.tether.local.connect.AgentJar;
import dev.tether.local.connect.AgentLauncher;
import dev.tether.local.connect.Remote;
import dev.tether.local.daemon.RemoteSpec;
import dev.tether.local.daemon.Ui;
import dev.tether.local.ssh.SshEnvironment;
import dev.tether.mux.Channel;
import dev.tether.mux.ChannelFlavour;
import dev.tether.mux.ChannelOpenException;
import dev.tether.mux.ErrorCode;
import dev.tether.mux.SessionListener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent reached without SSH: as a local child process ({@code local}) and through any command
 * that gives stdio ({@code --via}). The agent is the real tether-remote.jar built by this reactor.
 */
class AgentLauncherTest {
  static final Path AGENT_JAR = Path.of("..", "bridge-remote", "target", "tether-remote.jar").toAbsolutePath().normalize();
  static AgentLauncher launcher;

  @TempDir
  static Path home;

  @BeforeAll
  static void locateAgent() throws Exception {
    if (!Files.isRegularFile(AGENT_JAR)) {
      throw new AssertionError(AGENT_JAR + " is missing: build with 'mvn package' (the agent jar is made by bridge-remote)");
    }
    System.setProperty("tether.agent.jar", AGENT_JAR.toString());
    launcher = new AgentLauncher(AgentJar.locate(), SshEnvironment.of(home, Map.of()));
  }

  private static String java() {
    return ProcessHandle.current().info().command().orElseThrow();
  }

  @Test
  void localRunsTheAgentAsAChildAndItServesFiles() throws Exception {
    Remote remote = launcher.connect(new RemoteSpec("local", List.of(), null), Ui.none(), SessionListener.NONE);
    try {
      assertEquals(Version.current(), remote.info().agentVersion);
      assertTrue(remote.info().capabilities.contains(ChannelKinds.LSP));
      Path file = Files.writeString(home.resolve("hello.txt"), "hello from the host\n");
      Channel channel = remote.session().open(ChannelKinds.FS_READ, ChannelFlavour.BYTES,
          "{\"path\":\"" + file + "\"}");
      assertEquals("hello from the host\n", new String(channel.inputStream().readAllBytes(), StandardCharsets.UTF_8));
      ChannelOpenException missing = assertThrows(ChannelOpenException.class, () -> remote.session()
          .open(ChannelKinds.FS_READ, ChannelFlavour.BYTES, "{\"path\":\"" + home.resolve("nope") + "\"}"));
      assertEquals("FileNotFound: " + home.resolve("nope"), missing.reason());
      ChannelOpenException unknownServer = assertThrows(ChannelOpenException.class, () -> remote.session()
          .open(ChannelKinds.LSP, ChannelFlavour.MESSAGES, "{\"server\":\"pyls\"}"));
      assertEquals(ErrorCode.CHANNEL_REFUSED, unknownServer.code());
      assertTrue(unknownServer.reason().contains("pylsp"), unknownServer.reason());
    } finally {
      remote.close();
    }
  }

  @Test
  void viaRunsTheAgentThroughAnyStdioCommand() throws Exception {
    String via = "exec '" + java() + "' -jar '" + AGENT_JAR + "' stdio --log '" + home.resolve("via.log") + "'";
    Remote remote = launcher.connect(new RemoteSpec("pod", List.of(), via), Ui.none(), SessionListener.NONE);
    try {
      assertEquals(Version.current(), remote.info().agentVersion);
    } finally {
      remote.close();
    }
  }

  @Test
  void aViaCommandThatIsNotAnAgentIsQuoted() {
    TetherException thrown = assertThrows(TetherException.class, () -> launcher.connect(
        new RemoteSpec("pod", List.of(), "echo 'Error from server (NotFound): pods \"web-0\" not found'; exit 1"),
        Ui.none(), SessionListener.NONE));
    assertTrue(thrown.getMessage().contains("pods \"web-0\" not found"), thrown.getMessage());
  }

  @Test
  void anAgentOfAnotherVersionIsRefusedWithBothVersionsNamed() {
    String via = "exec '" + java() + "' -cp '" + System.getProperty("java.class.path") + "' "
        + SkewedAgent.class.getName();
    TetherException thrown = assertThrows(TetherException.class, () -> launcher.connect(
        new RemoteSpec("old-host", List.of(), via), Ui.none(), SessionListener.NONE));
    assertTrue(thrown.getMessage().contains("0.0.1-old"), thrown.getMessage());
    assertTrue(thrown.getMessage().contains(Version.current()), thrown.getMessage());
    assertTrue(thrown.getMessage().contains("same version"), thrown.getMessage());
  }
}
