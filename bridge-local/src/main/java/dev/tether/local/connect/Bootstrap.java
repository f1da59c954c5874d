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
 * no internet), verifies its SHA-256. Then either starts {@code tether-remote stdio --daemon} ({@link
 * #relay}: a relay to the user's agent daemon on the host, started there when absent, so that sessions
 * outlive the connection), or only makes sure that daemon runs ({@link #ensureDaemon}) for a caller
 * that reaches its socket ({@link #daemonSocket}) through the SSH server itself.
 */
public final class Bootstrap {
  static final int MIN_JAVA = 17;
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
  /** Marks the line of {@link #installed}'s output that holds {@code $HOME}. */
  private static final String HOME_MARK = "tether-home=";
  private static final Pattern JAVA_VERSION = Pattern.compile("version \"(\\d+)(?:\\.(\\d+))?");
  /** JVM settings for a small idle footprint: the agent mostly waits on pipes. */
  static final String AGENT_JVM = "-XX:+UseSerialGC -Xms16m -Xmx256m -Xss512k -XX:MaxMetaspaceSize=64m -XX:ReservedCodeCacheSize=32m";

  private final SshConnection ssh;
  private final AgentJar jar;
  private final Ui ui;
  private final String host;
  private final Consumer<String> step;
  /** The host's {@code $HOME} as its shell sees it (where the agent keeps its socket), once known. */
  private String home;

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

  /** Ensures the agent is installed and starts its relay; the returned process speaks the session protocol. */
  public RemoteProcess start() throws IOException {
    prepare();
    return relay();
  }

  /** Checks Java and installs this agent when it is missing; learns the host's {@code $HOME} on the way. */
  public void prepare() throws IOException {
    checkJava();
    if (!installed()) {
      install();
    }
  }

  /**
   * Starts {@code tether-remote stdio --daemon}: a relay that hands the session to the per-user agent
   * daemon, which outlives this connection and is started with the relay's JVM flags and environment.
   */
  public RemoteProcess relay() {
    step.accept("starting the agent (tether-remote stdio --daemon)");
    return ssh.exec(agentCommand(jarPath()));
  }

  /**
   * Makes sure the agent daemon runs, without a session: the relay starts it when none answers, and
   * with its stdin closed it leaves at once (the daemon takes the empty connection for a probe).
   */
  public void ensureDaemon() throws IOException {
    step.accept("starting the agent daemon (tether-remote stdio --daemon < /dev/null)");
    run(agentCommand(jarPath()) + " </dev/null >/dev/null");
  }

  /**
   * The agent daemon's socket on the host ({@code $HOME/.tether/run/tether-remote-HASH.sock}, as the
   * agent names it), or null when {@link #prepare} did not learn an absolute {@code $HOME}.
   */
  public String daemonSocket() {
    if (home == null || !home.startsWith("/")) {
      return null;
    }
    String base = home.replaceAll("/+$", "");
    return base + "/.tether/run/tether-remote-" + jar.sha256().substring(0, 12) + ".sock";
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
    String out = run("printf '" + HOME_MARK + "%s\\n' \"$HOME\"; sha256sum " + jarPath() + " 2>/dev/null || shasum -a 256 "
        + jarPath() + " 2>/dev/null || true");
    int newline = out.indexOf('\n');
    String first = newline < 0 ? out : out.substring(0, newline);
    if (first.startsWith(HOME_MARK)) {
      home = first.substring(HOME_MARK.length());
      out = newline < 0 ? "" : out.substring(newline + 1).strip();
    }
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
