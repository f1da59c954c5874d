package dev.tether.local.ssh.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Map;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/**
 * Server side of an exec request: runs {@code /bin/sh -c COMMAND} as a real process and wires its
 * stdin, stdout, stderr and exit status to the SSH channel, byte for byte (no terminal translation).
 * As with a real sshd, the command starts in the user's home directory with {@code HOME} set to it.
 *
 * <p>Threading: MINA calls {@link #start} and {@link #destroy} on its threads; three daemon pump
 * threads copy the streams, and the stdout pump reports the exit status once both outputs are drained,
 * so the status never overtakes the last output bytes.
 */
public final class ShellProcessCommand implements Command {
  private final String command;
  private final Path home;
  private final Map<String, String> environment;
  private InputStream in;
  private OutputStream out;
  private OutputStream err;
  private ExitCallback exitCallback;
  private volatile Process process;

  public ShellProcessCommand(String command, Path home) {
    this(command, home, Map.of());
  }

  /** @param environment variables set for the command on top of this JVM's own (the server's settings) */
  public ShellProcessCommand(String command, Path home, Map<String, String> environment) {
    this.command = command;
    this.home = home;
    this.environment = Map.copyOf(environment);
  }

  @Override
  public void setInputStream(InputStream in) {
    this.in = in;
  }

  @Override
  public void setOutputStream(OutputStream out) {
    this.out = out;
  }

  @Override
  public void setErrorStream(OutputStream err) {
    this.err = err;
  }

  @Override
  public void setExitCallback(ExitCallback callback) {
    this.exitCallback = callback;
  }

  @Override
  public void start(ChannelSession channel, Environment env) throws IOException {
    ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", command).directory(home.toFile());
    pb.environment().put("HOME", home.toString());
    pb.environment().putAll(environment);
    Map<String, String> requested = env.getEnv();
    requested.forEach((k, v) -> {
      if (k.equals("LANG") || k.startsWith("LC_") || k.equals("TERM")) {
        pb.environment().put(k, v);
      }
    });
    Process p = pb.start();
    process = p;
    Thread stderrPump = pump("stderr", p.getErrorStream(), err, null);
    pump("stdin", in, p.getOutputStream(), null);
    pump("stdout", p.getInputStream(), out, () -> finish(p, stderrPump));
  }

  private void finish(Process p, Thread stderrPump) {
    int status;
    try {
      stderrPump.join();
      status = p.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      status = 130;
    }
    exitCallback.onExit(status);
  }

  /** Copies until EOF, then closes the destination (EOF travels on) and runs {@code then}. */
  private Thread pump(String name, InputStream from, OutputStream to, Runnable then) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[32 * 1024];
      try (InputStream src = from; OutputStream dst = to) {
        for (int n; (n = src.read(buf)) >= 0; ) {
          dst.write(buf, 0, n);
          dst.flush();
        }
      } catch (IOException e) {
        // the peer went away; the process is ended by destroy()
      }
      if (then != null) {
        then.run();
      }
    }, "tether-sshd-exec-" + name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  /**
   * The channel is gone: end the command and what it started in its session, as sshd's hangup does.
   * A process that left the session with {@code setsid} (a daemon, such as the agent daemon) lives on.
   */
  @Override
  public void destroy(ChannelSession channel) {
    Process p = process;
    if (p != null && p.isAlive()) {
      long session = sessionId(p.pid());
      p.descendants().filter(d -> sessionId(d.pid()) == session).forEach(ProcessHandle::destroy);
      p.destroy();
    }
  }

  /** The session id from {@code /proc/PID/stat} (its 6th field), or -1 when unknown. */
  private static long sessionId(long pid) {
    try {
      String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[3]); // state ppid pgrp session
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
