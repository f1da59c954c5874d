package dev.tether.local.connect;

import dev.tether.local.TetherException;
import dev.tether.local.daemon.Ui;
import dev.tether.local.ssh.RemoteProcess;
import dev.tether.local.ssh.SshConnection;
import dev.tether.local.ssh.SshFailure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Puts this exact agent version on a host and starts it: checks for Java 17+, looks for the agent
 * under {@code ~/.tether/server/<version>-<hash>/}, uploads it over SFTP when missing (the host needs
 * no internet), verifies its SHA-256, then starts {@code tether-remote stdio --daemon}: a relay to the user's agent daemon on the host,
 * started there when absent, so that sessions outlive the connection.
 */
public final class Bootstrap {
  static final int MIN_JAVA = 17;
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
  private static final Pattern JAVA_VERSION = Pattern.compile("version \"(\\d+)(?:\\.(\\d+))?");
  /** JVM settings for a small idle footprint: the agent mostly waits on pipes. */
  static final String AGENT_JVM = "-XX:+UseSerialGC -Xms16m -Xmx256m -Xss512k -XX:MaxMetaspaceSize=64m -XX:ReservedCodeCacheSize=32m";

  private final SshConnection ssh;
  private final AgentJar jar;
  private final Ui ui;
  private final String host;
  private final Consumer<String> step;

  /**
   * @param step told the name of each step as it begins, so that a deadline that passes can name it
   *     (see {@link BootstrapDeadline}, which closes {@code ssh} and so ends a step that hangs)
   */
  public Bootstrap(SshConnection ssh, AgentJar jar, Ui ui, String host, Consumer<String> step) {
    this.ssh = ssh;
    this.jar = jar;
    this.ui = ui;
    this.host = host;
    this.step = step;
  }

  /** Ensures the agent is installed and starts it; the returned process speaks the session protocol. */
  public RemoteProcess start() throws IOException {
    checkJava();
    if (!installed()) {
      install();
    }
    // The relay hands the session to the per-user agent daemon, which outlives this connection and
    // is started with the relay's JVM flags and environment.
    step.accept("starting the agent (tether-remote stdio --daemon)");
    return ssh.exec(agentCommand(jarPath()));
  }

  /**
   * Java decodes file names with the locale's charset, and sshd often passes no locale at all: then
   * every non-ASCII file name is unmappable for the agent. Without a UTF-8 locale, the agent (and what
   * it starts) gets C.UTF-8; a UTF-8 locale the host already has is left alone.
   */
  static String agentCommand(String jarPath) {
    return "exec sh -c 'case \"${LC_ALL:-${LC_CTYPE:-$LANG}}\" in *[Uu][Tt][Ff]-8*|*[Uu][Tt][Ff]8*) ;; "
        + "*) LC_ALL=C.UTF-8; export LC_ALL ;; esac; exec java " + AGENT_JVM + " -jar " + jarPath + " stdio --daemon'";
  }

  private String jarPath() {
    return "\"$HOME/" + jar.remoteDir() + "/tether-remote.jar\"";
  }

  void checkJava() throws IOException {
    step.accept("checking Java on the host (java -version)");
    String out = run("java -version 2>&1 || echo tether-no-java");
    if (out.contains("tether-no-java") || !out.toLowerCase(Locale.ROOT).contains("version")) {
      throw new TetherException("Java " + MIN_JAVA + " or newer is needed on " + host + " to run the Tether agent, "
          + "but 'java' is not on the PATH of a non-interactive shell there; install it (Debian/Ubuntu: "
          + "sudo apt-get install openjdk-17-jre-headless) and try again");
    }
    int major = javaMajor(out);
    if (major < MIN_JAVA) {
      throw new TetherException("Java " + major + " on " + host + " is too old for the Tether agent, which needs "
          + MIN_JAVA + " or newer; install it (Debian/Ubuntu: sudo apt-get install openjdk-17-jre-headless)");
    }
  }

  static int javaMajor(String versionOutput) {
    Matcher m = JAVA_VERSION.matcher(versionOutput);
    if (!m.find()) {
      return 0;
    }
    int first = Integer.parseInt(m.group(1));
    return first == 1 && m.group(2) != null ? Integer.parseInt(m.group(2)) : first;
  }

  private boolean installed() throws IOException {
    step.accept("checking the installed agent (sha256sum)");
    String out = run("sha256sum " + jarPath() + " 2>/dev/null || shasum -a 256 " + jarPath() + " 2>/dev/null || true");
    return out.startsWith(jar.sha256());
  }

  private void install() throws IOException {
    String dir = jar.remoteDir();
    long size = jar.size();
    String installing = String.format("installing the agent on %s (%.1f MiB)", host, size / (1024.0 * 1024.0));
    ui.progress(installing);
    step.accept("creating ~/" + dir);
    run("umask 077 && mkdir -p \"$HOME/" + dir + "\""); // ~/.tether is private: logs and sockets live there
    String temp = dir + "/tether-remote.jar.part-" + ProcessHandle.current().pid();
    step.accept("uploading the agent");
    long[] told = {0};
    try {
      ssh.upload(jar.path(), temp, 0644, sent -> {
        if (sent - told[0] >= size / 100 || sent == size) { // a bar needs no more than every percent
          told[0] = sent;
          ui.transfer(installing, sent, size);
        }
      });
    } catch (SshFailure e) {
      throw new TetherException("uploading the agent to " + host + " failed: " + e.getMessage(), e);
    }
    step.accept("verifying the uploaded agent (sha256sum)");
    String check = run("cd \"$HOME/" + dir + "\" && (sha256sum " + temp.substring(dir.length() + 1)
        + " 2>/dev/null || shasum -a 256 " + temp.substring(dir.length() + 1) + ")");
    if (!check.startsWith(jar.sha256())) {
      run("rm -f \"$HOME/" + temp + "\"");
      throw new TetherException("the agent uploaded to " + host + " is corrupt (checksum mismatch); try again");
    }
    run("mv -f \"$HOME/" + temp + "\" \"$HOME/" + dir + "/tether-remote.jar\"");
  }

  private String run(String command) throws IOException {
    try (RemoteProcess process = ssh.exec(command)) {
      process.stdin().close();
      byte[] out = process.stdout().readAllBytes();
      process.waitFor(COMMAND_TIMEOUT);
      return new String(out, StandardCharsets.UTF_8).strip();
    } catch (SshFailure e) {
      throw new TetherException("running '" + command + "' on " + host + " failed: " + e.getMessage(), e);
    }
  }
}
