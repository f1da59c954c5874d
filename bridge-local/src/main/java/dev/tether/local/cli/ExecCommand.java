package dev.tether.local.cli;

import dev.tether.adapters.exec.ExecClient;
import dev.tether.adapters.exec.ExecClient.ExecProcess;
import dev.tether.local.daemon.DaemonClient;
import dev.tether.local.daemon.HandOverHandler;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code tether exec DESTINATION -- CMD ARGS...}: a drop-in for {@code ssh host cmd args} in scripts.
 * The words are joined with spaces and run by the login shell on the host; stdin is forwarded (with
 * its end), stdout and stderr stay apart, Ctrl-C becomes SIGINT for the remote process group, and the
 * exit status is the remote one (255 when the host cannot be reached, as with ssh).
 */
@Command(name = "exec", description = "Run a command on DESTINATION with stdin, stdout, stderr and exit status, like 'ssh host cmd'.")
final class ExecCommand implements Callable<Integer>, HandedOver {
  @Mixin
  ConnectionOptions connection;

  @Parameters(index = "0", paramLabel = "DESTINATION",
      description = ConnectionOptions.DESTINATION_HELP)
  String destination;

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "CMD",
      description = "command and arguments (after --), joined with spaces and run by the login shell on the host")
  List<String> command = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    PrintStream stderr = System.err;
    try (DaemonClient daemon = Daemons.connect(); ExecClient client = ExecClient.open(daemon.opener(connection.spec(destination)))) {
      ExecProcess process = client.shell(String.join(" ", command));
      return RemoteStreams.run(process, new FileInputStream(FileDescriptor.in), new FileOutputStream(FileDescriptor.out),
          new FileOutputStream(FileDescriptor.err));
    } catch (IOException e) {
      stderr.println("tether: " + destination + ": " + Tether.userMessage(e));
      return RemoteStreams.CONNECTION_FAILED;
    }
  }

  /** In the daemon, on the script's own descriptors; Ctrl-C arrives from the command as an interrupt. */
  @Override
  public HandOverHandler.Job handOver(Path cwd, HandOverHandler.Hosts hosts) throws HandOverHandler.FallBack {
    HandOverHandler.Host host = hosts.connected(connection.spec(destination));
    return io -> {
      try (ExecClient client = ExecClient.open(host.opener())) {
        ExecProcess process = client.shell(String.join(" ", command));
        io.onInterrupt(() -> RemoteStreams.signal(process, "INT", io.err()));
        io.onAbort(client::close); // the command was killed: its channel ends, and with it the process
        return RemoteStreams.copy(process, io.in(), io.out(), io.err());
      } catch (IOException e) {
        io.err().println("tether: " + destination + ": " + Tether.userMessage(e));
        return RemoteStreams.CONNECTION_FAILED;
      }
    };
  }

  /** Copies a started process's streams to ours and returns its exit status. */
  static final class RemoteStreams {
    /** ssh's exit status when the connection fails: scripts already test for it. */
    static final int CONNECTION_FAILED = 255;

    private RemoteStreams() {}

    static int run(ExecProcess process, InputStream in, OutputStream out, OutputStream err) throws IOException {
      Object interrupt = org.jline.utils.Signals.register("INT", () -> signal(process, "INT", System.err));
      try {
        return copy(process, in, out, err);
      } finally {
        org.jline.utils.Signals.unregister("INT", interrupt);
      }
    }

    /**
     * Copies until the process's output ends, then returns its exit status. The stdin copy may still
     * be blocked reading {@code in} (the caller's stdin stays open): whoever owns {@code in} closes it.
     */
    static int copy(ExecProcess process, InputStream in, OutputStream out, OutputStream err) throws IOException {
      Thread stdin = daemonThread("stdin", () -> copyStdin(in, process));
      stdin.start();
      Thread stdout = daemonThread("stdout", () -> copyOutput(process.stdout(), out, process::discardStdout));
      Thread stderr = daemonThread("stderr", () -> copyOutput(process.stderr(), err, process::discardStderr));
      stdout.start();
      stderr.start();
      join(stdout);
      join(stderr);
      return process.waitFor();
    }

    static void signal(ExecProcess process, String signal, PrintStream stderr) {
      try {
        process.signal(signal);
      } catch (IOException e) {
        stderr.println("tether: cannot deliver SIG" + signal + ": " + e.getMessage());
      }
    }

    private static void copyStdin(InputStream in, ExecProcess process) {
      byte[] buffer = new byte[16 * 1024];
      try {
        OutputStream remote = process.stdin();
        int n;
        while ((n = in.read(buffer)) >= 0) {
          remote.write(buffer, 0, n);
        }
        process.closeStdin();
      } catch (IOException e) {
        // The process or the connection ended; its exit status tells the rest.
      }
    }

    /** A local reader that went away ({@code | head -1}) stops the remote stream instead of hanging. */
    private static void copyOutput(InputStream remote, OutputStream local, Runnable discard) {
      byte[] buffer = new byte[32 * 1024];
      int n;
      while (true) {
        try {
          n = remote.read(buffer);
        } catch (IOException e) {
          return; // connection lost: waitFor reports it
        }
        if (n < 0) {
          return;
        }
        try {
          local.write(buffer, 0, n);
          local.flush();
        } catch (IOException e) {
          discard.run();
          return;
        }
      }
    }

    private static Thread daemonThread(String name, Runnable body) {
      Thread thread = new Thread(body, "exec " + name);
      thread.setDaemon(true);
      return thread;
    }

    private static void join(Thread thread) throws IOException {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("interrupted");
      }
    }
  }
}
